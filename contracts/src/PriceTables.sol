// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title PriceTables: the price tables of IntermediaryV2 channels, checked in one place.
/// @notice A price table is one price per request (wei) for each request category of a channel.
///         Its hash is the keccak256 of the prices as consecutive 32-byte words, which is also
///         how EIP-712 encodes a `uint256[]`, so one hash function serves tables and tokens.
library PriceTables {
    /// @notice How many categories a channel can have: enough for request sizes (P3) and for
    ///         tagging a downstream call with a handful of origin consumers (3.4), and small
    ///         enough that a token's counts stay cheap to send and hash in every redemption.
    uint256 internal constant MAX_CATEGORIES = 8;

    /// @dev A table with no category, or with more than MAX_CATEGORIES.
    error InvalidCategoryCount(uint256 given, uint256 max);
    /// @dev A price change or a token's counts whose length is not the channel's category count.
    error CategoryCountMismatch(uint256 expected, uint256 given);
    /// @dev A price of 0 wei: a free category needs no channel, and it would make a token's value
    ///      meaningless for the cap arithmetic of `redeem`.
    error ZeroPrice(uint256 category);

    /// @notice Reverts unless `prices` is a valid table of `expected` categories (0: any count
    ///         from 1 to MAX_CATEGORIES, as when a channel opens).
    function check(uint256[] calldata prices, uint256 expected) internal pure {
        uint256 n = prices.length;
        if (expected == 0) {
            if (n == 0 || n > MAX_CATEGORIES) revert InvalidCategoryCount(n, MAX_CATEGORIES);
        } else if (n != expected) {
            revert CategoryCountMismatch(expected, n);
        }
        for (uint256 i = 0; i < n; ++i) {
            if (prices[i] == 0) revert ZeroPrice(i);
        }
    }

    /// @notice The hash a channel stores for a table (and the EIP-712 encoding of a count array).
    function hash(uint256[] calldata words) internal pure returns (bytes32 h) {
        // keccak256(abi.encodePacked(words)) without the copy solc makes through a fresh memory
        // array: the words go to scratch-free memory at the free pointer and are hashed there.
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            let size := shl(5, words.length)
            calldatacopy(ptr, words.offset, size)
            h := keccak256(ptr, size)
        }
    }
}
