// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Test-only (test/kit/solidity.ts compiles it at test time; not part of contracts/src).

interface IIntermediaryFactory {
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address channel);
}

/// @title ChannelOpener: a contract of no ABI the explorer knows that opens a channel through the
///        factory and emits logs of its own around it, so one transaction's receipt holds four
///        logs: Before (its own), Deposited (the channel), ChannelOpened (the factory), After (its own).
contract ChannelOpener {
    event Before(address indexed caller, uint256 value);
    event After(address indexed channel, string note);

    /// @notice Opens a channel to `provider` at 1,000 wei per request with everything sent.
    function open(IIntermediaryFactory factory, address provider) external payable returns (address channel) {
        emit Before(msg.sender, msg.value);
        channel = factory.open{value: msg.value}(provider, 1_000, 60, 600);
        emit After(channel, "opened");
    }
}
