// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Contract parties of IntermediaryV2 channels for IntermediaryV2.hostile.test.ts (test only,
// compiled by test/kit/solidity.ts): one that re-enters the channel from receive(), one that
// refuses every payment, and one that forces ether in.

interface IChannelV2 {
    function deposit() external payable;
    function startRedemption() external;
    function redeem(uint256[] calldata requests, uint256[] calldata prices, bytes calldata signature) external;
    function withdraw() external;
    function startTermination() external;
    function terminate() external;
}

interface IFactoryV2 {
    function open(address provider, uint256[] calldata prices, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address);
}

/// A channel party that forwards the owner's calls to its channel.
abstract contract PartyV2 {
    IChannelV2 public channel;

    function attach(IChannelV2 channel_) external {
        channel = channel_;
    }

    function open(IFactoryV2 factory, address provider, uint256[] calldata prices, uint256 rt, uint256 tt)
        external
        payable
    {
        channel = IChannelV2(factory.open{value: msg.value}(provider, prices, rt, tt));
    }

    function deposit() external payable {
        channel.deposit{value: msg.value}();
    }

    function startRedemption() external {
        channel.startRedemption();
    }

    function redeem(uint256[] calldata requests, uint256[] calldata prices, bytes calldata signature) external {
        channel.redeem(requests, prices, signature);
    }

    function withdraw() external {
        channel.withdraw();
    }

    function startTermination() external {
        channel.startTermination();
    }

    function terminate() external {
        channel.terminate();
    }
}

/// Re-enters withdraw() and terminate() from receive(), up to three levels deep.
contract ReentrantV2 is PartyV2 {
    uint256 public received;
    uint256 public payments;
    uint256 public reentries;
    uint256 public innerWithdrawSuccesses;
    uint256 public innerTerminateSuccesses;
    bytes public innerWithdrawError;
    bytes public innerTerminateError;

    receive() external payable {
        received += msg.value;
        payments += 1;
        if (reentries >= 3) return;
        reentries += 1;
        try channel.withdraw() {
            innerWithdrawSuccesses += 1;
        } catch (bytes memory reason) {
            innerWithdrawError = reason;
        }
        try channel.terminate() {
            innerTerminateSuccesses += 1;
        } catch (bytes memory reason) {
            innerTerminateError = reason;
        }
    }
}

/// Refuses every payment.
contract RefusingV2 is PartyV2 {
    receive() external payable {
        revert("refused");
    }
}

/// Forces its value into `target`, which cannot refuse it (no code of the target runs).
contract ForceFeederV2 {
    constructor(address payable target) payable {
        selfdestruct(target);
    }
}
