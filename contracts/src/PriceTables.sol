// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IIntermediaryV2Terms} from "./IIntermediaryV2.sol";

/// @title PriceTables: the price tables of IntermediaryV2 channels, checked in one place.
/// @notice A price table is one price per request (wei) for each request category of a channel.
///         Its hash is the keccak256 of the prices as consecutive 32-byte words, which is also
///         how EIP-712 encodes a `uint256[]`, so one hash function serves tables and tokens.
///         Its errors are IIntermediaryV2Terms', so the factory's ABI carries them too.
library PriceTables {
    /// @notice How many categories a channel can have: enough for request sizes (P3) and for
    ///         tagging a downstream call with a handful of origin consumers (3.4), and small
    ///         enough that a token's counts stay cheap to send and hash in every redemption.
    uint256 internal constant MAX_CATEGORIES = 8;

    /// @notice Reverts unless `prices` is a valid opening table: 1 to MAX_CATEGORIES categories,
    ///         none of them free. Takes memory, as a constructor's arguments are.
    function checkOpening(uint256[] memory prices) internal pure {
        uint256 n = prices.length;
        if (n == 0 || n > MAX_CATEGORIES) revert IIntermediaryV2Terms.InvalidCategoryCount(n, MAX_CATEGORIES);
        for (uint256 i = 0; i < n; ++i) {
            if (prices[i] == 0) revert IIntermediaryV2Terms.ZeroPrice(i);
        }
    }

    /// @notice Reverts unless `prices` is a valid new table of a channel of `expected` categories.
    /// @dev The calldata twin of `checkOpening`'s loop: taking memory here would add the
    ///      calldata-to-memory copy to every channel's runtime code, paid at every opening.
    function check(uint256[] calldata prices, uint256 expected) internal pure {
        uint256 n = prices.length;
        if (n != expected) revert IIntermediaryV2Terms.CategoryCountMismatch(expected, n);
        for (uint256 i = 0; i < n; ++i) {
            if (prices[i] == 0) revert IIntermediaryV2Terms.ZeroPrice(i);
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
