// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Test-only (test/kit/solidity.ts compiles it at test time; not part of contracts/src).

interface IFactory {
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address channel);
}

interface IChannel {
    function deposit() external payable;
}

/// @title ConsumerWallet: a contract that is a channel's consumer and acts for whoever calls it
///        (as a smart-contract wallet does), so the channel's calls arrive through a function
///        of another ABI: the transaction's selector is the wallet's, only its events say what it did.
contract ConsumerWallet {
    /// @notice Opens a channel to `provider` at 1,000 wei per request with everything sent.
    function open(IFactory factory, address provider) external payable returns (address channel) {
        channel = factory.open{value: msg.value}(provider, 1_000, 60, 600);
    }

    /// @notice Deposits everything sent into `channel`, whose consumer this wallet is.
    function fund(IChannel channel) external payable {
        channel.deposit{value: msg.value}();
    }
}
