// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Intermediary} from "./Intermediary.sol";

/// @title IntermediaryFactory: opens payment channels, so every channel is discoverable
///        (`ChannelOpened`, `isChannel`) and runs known code.
contract IntermediaryFactory {
    /// @notice Upper bound for both timeouts, so deadlines can never overflow or lock funds
    ///         for an absurd time through a typo.
    uint256 public constant MAX_TIMEOUT = 365 days;

    mapping(address => bool) public isChannel;
    uint256 public channelCount;

    event ChannelOpened(
        address indexed channel,
        address indexed consumer,
        address indexed provider,
        uint256 costPerRequest,
        uint256 redemptionTimeout,
        uint256 terminationTimeout
    );

    error InvalidProvider();
    error ZeroCostPerRequest();
    error InvalidRedemptionTimeout(uint256 max);
    /// @dev The provider must be able to finish a pending redemption and then redeem the active
    ///      token after termination is announced: at least two redemption timeouts.
    error TerminationTimeoutTooShort(uint256 min);
    error TerminationTimeoutTooLong(uint256 max);

    /// @notice Deploys a channel with the caller as consumer; `msg.value` is the first deposit.
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address channel)
    {
        if (provider == address(0) || provider == msg.sender) revert InvalidProvider();
        if (costPerRequest == 0) revert ZeroCostPerRequest();
        if (redemptionTimeout == 0 || redemptionTimeout > MAX_TIMEOUT) revert InvalidRedemptionTimeout(MAX_TIMEOUT);
        if (terminationTimeout < 2 * redemptionTimeout) revert TerminationTimeoutTooShort(2 * redemptionTimeout);
        if (terminationTimeout > MAX_TIMEOUT) revert TerminationTimeoutTooLong(MAX_TIMEOUT);

        channel = address(
            new Intermediary{value: msg.value}(
                msg.sender, provider, costPerRequest, redemptionTimeout, terminationTimeout
            )
        );
        isChannel[channel] = true;
        unchecked {
            ++channelCount;
        }
        emit ChannelOpened(channel, msg.sender, provider, costPerRequest, redemptionTimeout, terminationTimeout);
    }
}
