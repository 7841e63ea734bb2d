// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

// Bench-only (scripts/bench-indexer.ts compiles it at bench time; not part of contracts/src).

interface IIntermediaryFactory {
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address channel);
}

interface IIntermediary {
    function deposit() external payable;
    function startTermination() external;
    function withdraw() external;
}

/// @title EventPump: a consumer contract that opens real channels through the factory and
///        deposits 1 wei many times in one transaction, so one transaction emits thousands of
///        `Deposited` events that the indexer must follow.
contract EventPump {
    IIntermediaryFactory public immutable factory;
    /// @notice The channel opened last; `pump`, `startTermination` and `withdraw` act on it.
    address public channel;

    constructor(IIntermediaryFactory factory_) {
        factory = factory_;
    }

    /// @notice Opens a channel (ChannelOpened + Deposited of 1 wei) and deposits `deposits` times.
    ///         Send at least `deposits + 1` wei.
    function open(address provider, uint256 deposits) external payable returns (address opened) {
        opened = factory.open{value: 1}(provider, 1, 60, 180);
        channel = opened;
        _pump(IIntermediary(opened), deposits);
    }

    /// @notice `deposits` deposits of 1 wei into the current channel. Send at least `deposits` wei.
    function pump(uint256 deposits) external payable {
        _pump(IIntermediary(channel), deposits);
    }

    function startTermination() external {
        IIntermediary(channel).startTermination();
    }

    function withdraw() external {
        IIntermediary(channel).withdraw();
    }

    /// @dev The channel's refund on `withdraw`.
    receive() external payable {}

    function _pump(IIntermediary target, uint256 deposits) private {
        for (uint256 i; i < deposits; ++i) {
            target.deposit{value: 1}();
        }
    }
}
