// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IntermediaryV2State: the packed state of an IntermediaryV2 channel and its views.
/// @notice Everything a redemption cycle reads and writes lives in the two slots declared here,
///         so the layout is stated (and decoded for the views) in one place.
abstract contract IntermediaryV2State {
    // `_state`, one slot, non-zero from the constructor on:
    //   bits   0..63   lastTokenId      highest token ID assigned
    //   bits  64..103  redeemableAt     of the pending redemption (stale when none is pending)
    //   bits 104..143  terminatesAt     0 while termination has not started
    //   bits 144..175  activeVersion    price version of the active token ID (the latest one)
    //   bits 176..207  expiringVersion  price version of the expiring token ID
    //   bit  208       ACTIVE           the last ID is active (signable)
    //   bit  209       PENDING          a redemption is pending
    //   bit  210       TERMINATED
    // 64-bit IDs last 5 * 10^11 years even at one redemption a second; 32-bit versions last
    // 490,000 years of hourly price changes (and a 2**32nd change is refused, not wrapped);
    // 40-bit timestamps last until the year 36812.
    uint256 internal _state;
    // `_funds`: consumerFunds in bits 0..127, providerFunds in bits 128..255.
    uint256 internal _funds;

    uint256 internal constant U32 = 0xffffffff;
    uint256 internal constant U40 = 0xffffffffff;
    uint256 internal constant U64 = 0xffffffffffffffff;
    uint256 internal constant U128 = type(uint128).max;
    uint256 internal constant REDEEMABLE_AT = 64;
    uint256 internal constant TERMINATES_AT = 104;
    uint256 internal constant ACTIVE_VERSION = 144;
    uint256 internal constant EXPIRING_VERSION = 176;
    uint256 internal constant ACTIVE = 1 << 208;
    uint256 internal constant PENDING = 1 << 209;
    uint256 internal constant TERMINATED = 1 << 210;

    /// @notice Funds locked by the consumer and not yet paid to the provider.
    function consumerFunds() external view returns (uint256) {
        return _funds & U128;
    }

    /// @notice Funds earned by the provider and not yet withdrawn.
    function providerFunds() external view returns (uint256) {
        return _funds >> 128;
    }

    /// @notice Token ID the consumer signs new tokens with; 0 once termination started and the
    ///         last token went into redemption, or after termination.
    function activeTokenId() external view returns (uint256) {
        uint256 s = _state;
        return s & ACTIVE != 0 ? s & U64 : 0;
    }

    /// @notice Token ID under redemption, 0 when none.
    function expiringTokenId() external view returns (uint256) {
        uint256 s = _state;
        return s & PENDING != 0 ? _expiringTokenId(s) : 0;
    }

    /// @notice Highest token ID ever assigned.
    function lastTokenId() external view returns (uint256) {
        return _state & U64;
    }

    /// @notice Earliest timestamp at which the expiring token ID can be redeemed, 0 when none.
    function redeemableAt() external view returns (uint256) {
        uint256 s = _state;
        return s & PENDING != 0 ? (s >> REDEEMABLE_AT) & U40 : 0;
    }

    /// @notice Timestamp after which the consumer may terminate; 0 while not started.
    function terminatesAt() external view returns (uint256) {
        return (_state >> TERMINATES_AT) & U40;
    }

    function terminated() external view returns (bool) {
        return _state & TERMINATED != 0;
    }

    /// @notice Price version of the active and of the expiring token ID (a version's table is in
    ///         its `PricesAnnounced` event; its hash in `pricesHash`), each 0 when there is no
    ///         such ID, as `activeTokenId` and `expiringTokenId` are (the bits keep the last one).
    function priceVersions() external view returns (uint256 active, uint256 expiring) {
        uint256 s = _state;
        if (s & ACTIVE != 0) active = (s >> ACTIVE_VERSION) & U32;
        if (s & PENDING != 0) expiring = (s >> EXPIRING_VERSION) & U32;
    }

    function _expiringTokenId(uint256 s) internal pure returns (uint256) {
        // The expiring ID precedes the active one, or is the last ID once none is active.
        return s & ACTIVE != 0 ? (s & U64) - 1 : s & U64;
    }
}
