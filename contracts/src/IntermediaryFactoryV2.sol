// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IIntermediaryV2Terms, MAX_TIMEOUT as CHANNEL_MAX_TIMEOUT} from "./IIntermediaryV2.sol";
import {IntermediaryV2} from "./IntermediaryV2.sol";
import {PriceTables} from "./PriceTables.sol";

/// @title IntermediaryFactoryV2: opens IntermediaryV2 channels (a price table per token ID), so
///        every channel is discoverable (`ChannelOpened`, `isChannel`) and runs known code.
/// @dev Deploys each channel in full rather than as a clone: see IntermediaryV2's gas notes.
///      The channel's constructor checks the terms (parties, price table, timeouts), so they are
///      checked in one place; `open` reverts with its IIntermediaryV2Terms errors.
contract IntermediaryFactoryV2 is IIntermediaryV2Terms {
    /// @notice Upper bound for the termination timeout (and so MAX_TIMEOUT / 3 for the redemption
    ///         timeout), as in v1.
    uint256 public constant MAX_TIMEOUT = CHANNEL_MAX_TIMEOUT;
    /// @notice Most request categories a channel can have.
    uint256 public constant MAX_CATEGORIES = PriceTables.MAX_CATEGORIES;

    mapping(address => bool) public isChannel;
    uint256 public channelCount;

    event ChannelOpened(
        address indexed channel,
        address indexed consumer,
        address indexed provider,
        uint256[] prices,
        uint256 redemptionTimeout,
        uint256 terminationTimeout
    );

    /// @notice Deploys a channel with the caller as consumer; `msg.value` is the first deposit.
    /// @param prices The opening price table: one price per request (wei, non-zero) for each
    ///        category, 1 to MAX_CATEGORIES of them; their number is fixed for the channel's life.
    function open(address provider, uint256[] calldata prices, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address channel)
    {
        channel = address(
            new IntermediaryV2{value: msg.value}(msg.sender, provider, prices, redemptionTimeout, terminationTimeout)
        );
        isChannel[channel] = true;
        unchecked {
            ++channelCount;
        }
        emit ChannelOpened(channel, msg.sender, provider, prices, redemptionTimeout, terminationTimeout);
    }
}
