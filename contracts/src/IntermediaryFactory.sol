// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Intermediary} from "./Intermediary.sol";

/// @title IntermediaryFactory: opens payment channels, so every channel is discoverable
///        (`ChannelOpened`, `isChannel`) and runs known code.
contract IntermediaryFactory {
    /// @notice Upper bound for the termination timeout (and so MAX_TIMEOUT / 3 for the redemption
    ///         timeout), so deadlines can never overflow or lock funds for an absurd time through
    ///         a typo.
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
    /// @dev `max` is MAX_TIMEOUT / 3: a longer redemption timeout could never open a channel,
    ///      since the termination timeout must be three times as long and at most MAX_TIMEOUT.
    error InvalidRedemptionTimeout(uint256 max);
    /// @dev `min` is three redemption timeouts. After the consumer announces termination, the
    ///      provider may need to finish a redemption that is already pending (one redemption
    ///      timeout) and then redeem its last token (a second one); the third gives it slack, so
    ///      its last redemption never races the consumer's `terminate()` at the deadline.
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
        if (redemptionTimeout == 0 || redemptionTimeout > MAX_TIMEOUT / 3) {
            revert InvalidRedemptionTimeout(MAX_TIMEOUT / 3);
        }
        if (terminationTimeout < 3 * redemptionTimeout) revert TerminationTimeoutTooShort(3 * redemptionTimeout);
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
