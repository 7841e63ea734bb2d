// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {IIntermediaryV2, MAX_TIMEOUT} from "./IIntermediaryV2.sol";
import {IntermediaryV2State} from "./IntermediaryV2State.sol";
import {PriceTables} from "./PriceTables.sol";

/// @title IntermediaryV2: a one-way payment channel with a price table per token ID.
/// @notice As Intermediary (v1), plus the thesis's pricing models P3 and P2 (section 3.3):
///         - P3, request categories: the channel has 1 to 8 categories, each with a price per
///           request. A token counts requests per category, EIP-712
///           `Token(uint256 tokenId,uint256[] prices,uint256[] requests)`; it is worth the dot
///           product of its counts with the price table of its own token ID (capped at the
///           consumer's funds). The token names that table too, and is valid only if it is the
///           ID's: the consumer's signature commits to the prices it agreed to, so if the block
///           that announced them is reorganised away and the provider announces other prices for
///           the same token ID, the consumer's tokens are not worth the new prices.
///         - P2, price changes: the provider may announce a new table when it starts a
///           redemption (`startRedemptionWithPrices`). It applies to the new token ID only, the
///           one no token has been signed for yet, so the consumer sees it (`PricesAnnounced`)
///           before paying at it and can decline by stopping. The table of a token ID never
///           changes once the ID is active.
///         Token IDs are assigned by the contract in sequence 1, 2, 3, ...: the active ID is the
///         last one assigned, and the expiring ID the one before it (or the last one, once
///         termination closed the active ID), so no ID is ever reused and none needs choosing.
/// @dev Gas: a channel pays a redemption cycle (startRedemption, redeem) about every hour for its
///      whole life, so the cycle decides what the payment system costs. Everything a cycle
///      touches lives in two slots that stay non-zero for the channel's life (`_state` and
///      `_funds`), so every write is non-zero to non-zero (2,900 gas, not 20,000), and the
///      price table is stored as a hash: the provider passes the table in calldata to `redeem`,
///      checked against the hash (one keccak, no SLOAD per category). The opening table's hash
///      is an immutable, so a channel that never changes its prices reads no table from storage
///      at all; a changed table costs one new slot (its hash) when announced and one cold SLOAD
///      per redemption. Each channel is a full contract, not a clone: a clone saves about 1.1M
///      gas once at opening but pays a cold DELEGATECALL (2,600 gas) on every call, about 45M
///      gas over a year of hourly cycles. The opening stays below v1's because v2 is compiled
///      for size (contracts/build.ts, compilerSettingsV2).
///      Invariant: address(this).balance >= consumerFunds + providerFunds, and
///      consumerFunds + providerFunds < 2**128 (checked at every deposit), so both fit the
///      128-bit halves of `_funds`.
contract IntermediaryV2 is IIntermediaryV2, IntermediaryV2State {
    bytes32 public constant TOKEN_TYPEHASH =
        keccak256("Token(uint256 tokenId,uint256[] prices,uint256[] requests)");
    // The EIP-712 domain ("Intermediary", "2", chain, this channel), built here rather than by
    // OpenZeppelin's EIP712: its ERC-5267 `eip712Domain()` and string handling cost 665 bytes
    // of code (measured), 200 gas a byte at every opening, for a domain that is fixed and
    // documented.
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
    bytes32 private constant NAME_HASH = keccak256("Intermediary");
    bytes32 private constant VERSION_HASH = keccak256("2");

    address public immutable factory;
    address public immutable consumer;
    address public immutable provider;
    /// @notice Seconds between `startRedemption` and the earliest `redeem`.
    uint256 public immutable redemptionTimeout;
    /// @notice Seconds between `startTermination` and the earliest `terminate` by the consumer.
    uint256 public immutable terminationTimeout;
    /// @notice Number of request categories: the length of every price table and token.
    uint256 public immutable categories;
    /// @notice Hash of the price table the channel opened with (price version 0).
    bytes32 public immutable initialPricesHash;
    /// @dev The domain separator on the chain the channel was opened on (recomputed after a fork).
    bytes32 private immutable _domainSeparator;
    uint256 private immutable _chainId;

    /// @dev Hash of price version `v` >= 1, each announced by `startRedemptionWithPrices`.
    mapping(uint256 version => bytes32) private _pricesHashes;

    modifier onlyProvider() {
        if (msg.sender != provider) revert NotProvider();
        _;
    }

    modifier onlyConsumer() {
        if (msg.sender != consumer) revert NotConsumer();
        _;
    }

    /// @dev Checks every term here, not in the factory, so a channel deployed directly has the
    ///      same guarantees (non-zero prices for `_valueOf`'s division, 1 to 8 categories, two
    ///      distinct parties, v1's timeout rules, deadlines that fit their 40 bits of `_state`).
    constructor(
        address consumer_,
        address provider_,
        uint256[] memory prices,
        uint256 redemptionTimeout_,
        uint256 terminationTimeout_
    ) payable {
        if (consumer_ == address(0)) revert InvalidConsumer();
        if (provider_ == address(0) || provider_ == consumer_) revert InvalidProvider();
        PriceTables.checkOpening(prices);
        if (redemptionTimeout_ == 0 || redemptionTimeout_ > MAX_TIMEOUT / 3) {
            revert InvalidRedemptionTimeout(MAX_TIMEOUT / 3);
        }
        if (terminationTimeout_ < 3 * redemptionTimeout_) revert TerminationTimeoutTooShort(3 * redemptionTimeout_);
        if (terminationTimeout_ > MAX_TIMEOUT) revert TerminationTimeoutTooLong(MAX_TIMEOUT);
        factory = msg.sender;
        consumer = consumer_;
        provider = provider_;
        redemptionTimeout = redemptionTimeout_;
        terminationTimeout = terminationTimeout_;
        categories = prices.length;
        initialPricesHash = keccak256(abi.encodePacked(prices));
        _chainId = block.chainid;
        _domainSeparator = _buildDomainSeparator();
        _state = 1 | ACTIVE;
        emit PricesAnnounced(1, 0, prices);
        if (msg.value > 0) {
            if (msg.value > U128) revert FundsOverflow();
            _funds = msg.value;
            emit Deposited(consumer_, msg.value, msg.value);
        }
    }

    /// @notice Adds funds for future requests. Refused once termination has started.
    function deposit() external payable onlyConsumer {
        uint256 s = _state;
        if (s & TERMINATED != 0) revert AlreadyTerminated();
        if ((s >> TERMINATES_AT) & U40 != 0) revert TerminationAlreadyStarted();
        if (msg.value == 0) revert ZeroDeposit();
        uint256 f = _funds;
        uint256 funds = (f & U128) + msg.value;
        if (funds + (f >> 128) > U128) revert FundsOverflow();
        _funds = (f & ~U128) | funds;
        emit Deposited(msg.sender, msg.value, funds);
    }

    /// @notice Announces the redemption of the active token ID at unchanged prices. It stays
    ///         acceptable off chain for the tolerance window and becomes redeemable after
    ///         `redemptionTimeout`. The next ID becomes active, unless termination has started
    ///         (then none is).
    function startRedemption() external onlyProvider {
        _startRedemption(false);
    }

    /// @notice Like `startRedemption`, and the new active token ID (not the expiring one) is
    ///         priced at `prices`: the consumer sees them before it signs a token at them.
    ///         Refused once termination has started, since no new ID becomes active then.
    /// @param prices One price per request (wei, non-zero) for each of the channel's categories.
    function startRedemptionWithPrices(uint256[] calldata prices) external onlyProvider {
        (uint256 next, uint256 version) = _startRedemption(true);
        PriceTables.check(prices, categories);
        _pricesHashes[version] = PriceTables.hash(prices);
        emit PricesAnnounced(next, version, prices);
    }

    /// @return next The new active token ID.
    /// @return version Its price version.
    function _startRedemption(bool newPrices) private returns (uint256 next, uint256 version) {
        uint256 s = _state;
        if (s & TERMINATED != 0) revert AlreadyTerminated();
        if (s & PENDING != 0) revert RedemptionPending(_expiringTokenId(s));
        if (s & ACTIVE == 0) revert NoActiveToken();
        bool terminating = (s >> TERMINATES_AT) & U40 != 0;
        if (newPrices && terminating) revert TerminationAlreadyStarted();
        if (newPrices && (s >> ACTIVE_VERSION) & U32 == U32) revert TooManyPriceChanges();
        uint256 expiring = s & U64;
        uint256 activeVersion = (s >> ACTIVE_VERSION) & U32;
        uint256 due = block.timestamp + redemptionTimeout;
        // Keep terminatesAt; set everything else anew. The expiring ID keeps its version.
        s = (s & (U40 << TERMINATES_AT)) | PENDING | (due << REDEEMABLE_AT) | (activeVersion << EXPIRING_VERSION);
        if (terminating) {
            // No new ID: the expiring one stays the last assigned, and none is active.
            s |= expiring | (activeVersion << ACTIVE_VERSION);
        } else {
            next = expiring + 1;
            version = newPrices ? activeVersion + 1 : activeVersion;
            s |= next | ACTIVE | (version << ACTIVE_VERSION);
        }
        _state = s;
        emit RedemptionStarted(expiring, next, due);
    }

    /// @notice Completes the pending redemption with the consumer's token for the expiring ID.
    ///         Empty `requests` closes a redemption for which no valid token exists (no prices or
    ///         signature needed, nothing paid). A token worth more than the consumer's funds pays
    ///         what is left, so an honest provider is never stuck behind an underfunded channel.
    /// @param requests The token's request count per category (exactly `categories` of them).
    /// @param prices The price table of the expiring token ID (checked against its hash).
    /// @param signature 65-byte EIP-712 signature by the consumer (low-s only).
    function redeem(uint256[] calldata requests, uint256[] calldata prices, bytes calldata signature)
        external
        onlyProvider
    {
        _redeem(requests, prices, signature);
    }

    /// @notice `redeem`, then `startRedemption` of the active token ID at unchanged prices, in one
    ///         transaction: a provider that redeems every hour pays one transaction's 21,000 gas
    ///         and one cold read of the state per cycle instead of two. Reverts as a whole when
    ///         either part would (e.g. NoActiveToken once termination closed the active ID).
    function redeemAndStartRedemption(uint256[] calldata requests, uint256[] calldata prices, bytes calldata signature)
        external
        onlyProvider
    {
        _redeem(requests, prices, signature);
        _startRedemption(false);
    }

    function _redeem(uint256[] calldata requests, uint256[] calldata prices, bytes calldata signature) private {
        (uint256 tokenId, uint256 version) = _endRedemption();
        uint256 amount = 0;
        if (requests.length != 0) {
            _checkToken(tokenId, version, requests, prices, signature);
            amount = _valueOf(requests, prices, _funds & U128);
        }
        // A closing call's `prices` are unchecked, so they stay out of the event.
        _pay(tokenId, requests, requests.length == 0 ? requests : prices, amount);
    }

    /// @dev Ends the pending redemption once due; returns its token ID and price version.
    function _endRedemption() private returns (uint256 tokenId, uint256 version) {
        uint256 s = _state;
        if (s & TERMINATED != 0) revert AlreadyTerminated();
        if (s & PENDING == 0) revert NoRedemptionPending();
        uint256 due = (s >> REDEEMABLE_AT) & U40;
        if (block.timestamp < due) revert RedemptionNotDue(due);
        _state = s & ~PENDING;
        return (_expiringTokenId(s), (s >> EXPIRING_VERSION) & U32);
    }

    /// @dev Moves `amount` (at most the consumer's funds) to the provider and records it.
    function _pay(uint256 tokenId, uint256[] calldata requests, uint256[] calldata prices, uint256 amount) private {
        uint256 f = _funds;
        uint256 consumerLeft = (f & U128) - amount;
        uint256 providerNow = (f >> 128) + amount;
        _funds = consumerLeft | (providerNow << 128);
        emit Redeemed(tokenId, requests, prices, amount, consumerLeft, providerNow);
    }

    /// @notice Pays the caller what it is owed: the provider its earnings at any time, the
    ///         consumer its remaining funds after termination.
    function withdraw() external {
        uint256 f = _funds;
        uint256 amount;
        if (msg.sender == provider) {
            amount = f >> 128;
            _funds = f & U128;
        } else if (msg.sender == consumer) {
            if (_state & TERMINATED == 0) revert NotTerminated();
            amount = f & U128;
            _funds = f & ~U128;
        } else {
            revert NotParty();
        }
        if (amount == 0) revert NothingToWithdraw();
        emit Withdrawn(msg.sender, amount);
        (bool ok,) = msg.sender.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// @notice Announces termination; the consumer can terminate after `terminationTimeout`.
    ///         Can happen once and can be neither restarted nor postponed.
    function startTermination() external onlyConsumer {
        uint256 s = _state;
        if (s & TERMINATED != 0) revert AlreadyTerminated();
        if ((s >> TERMINATES_AT) & U40 != 0) revert TerminationAlreadyStarted();
        uint256 deadline = block.timestamp + terminationTimeout;
        _state = s | (deadline << TERMINATES_AT);
        emit TerminationStarted(msg.sender, deadline);
    }

    /// @notice Ends the channel: the provider at any time, the consumer after the deadline.
    ///         Balances stay in the contract for each side to `withdraw`; a pending redemption
    ///         is void.
    function terminate() external {
        uint256 s = _state;
        if (s & TERMINATED != 0) revert AlreadyTerminated();
        if (msg.sender == consumer) {
            uint256 deadline = (s >> TERMINATES_AT) & U40;
            if (deadline == 0) revert TerminationNotStarted();
            if (block.timestamp < deadline) revert TerminationNotDue(deadline);
        } else if (msg.sender != provider) {
            revert NotParty();
        }
        _state = (s & ~(ACTIVE | PENDING)) | TERMINATED;
        uint256 f = _funds;
        emit Terminated(msg.sender, f & U128, f >> 128);
    }

    /// @notice Hash of price version `version`'s table (keccak256 of the prices as 32-byte words).
    function pricesHash(uint256 version) external view returns (bytes32) {
        return _pricesHash(version);
    }

    /// @notice The EIP-712 digest the consumer signs for a token of this channel: token ID
    ///         `tokenId` at the price table `prices` with counts `requests`.
    function tokenDigest(uint256 tokenId, uint256[] calldata prices, uint256[] calldata requests)
        external
        view
        returns (bytes32)
    {
        return _tokenDigest(tokenId, PriceTables.hash(prices), requests);
    }

    /// @dev Reverts unless `requests` and `prices` have the channel's length, `prices` is the
    ///      table of price version `version`, and `signature` is the consumer's on the token at
    ///      that table (a token signed at another table, e.g. one announced in a block later
    ///      reorganised away, is refused).
    function _checkToken(
        uint256 tokenId,
        uint256 version,
        uint256[] calldata requests,
        uint256[] calldata prices,
        bytes calldata signature
    ) private view {
        uint256 n = categories;
        if (requests.length != n) revert CategoryCountMismatch(n, requests.length);
        bytes32 table = _pricesHash(version);
        if (prices.length != n || PriceTables.hash(prices) != table) revert WrongPrices(tokenId);
        bytes32 digest = _tokenDigest(tokenId, table, requests);
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
        if (err != ECDSA.RecoverError.NoError || signer != consumer) revert InvalidSignature();
    }

    /// @dev The dot product of `requests` and `prices`, capped at `funds`.
    function _valueOf(uint256[] calldata requests, uint256[] calldata prices, uint256 funds)
        private
        pure
        returns (uint256 amount)
    {
        for (uint256 i = 0; i < requests.length; ++i) {
            uint256 count = requests[i];
            if (count == 0) continue;
            // Cap instead of overflow: count * price > left  <=>  count > left / price.
            if (count > (funds - amount) / prices[i]) return funds;
            amount += count * prices[i];
        }
    }

    /// @param table The hash of the token's price table (its EIP-712 encoding).
    function _tokenDigest(uint256 tokenId, bytes32 table, uint256[] calldata requests) private view returns (bytes32) {
        bytes32 separator = block.chainid == _chainId ? _domainSeparator : _buildDomainSeparator();
        bytes32 structHash = keccak256(abi.encode(TOKEN_TYPEHASH, tokenId, table, PriceTables.hash(requests)));
        return keccak256(abi.encodePacked(hex"1901", separator, structHash));
    }

    function _buildDomainSeparator() private view returns (bytes32) {
        return keccak256(abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this)));
    }

    function _pricesHash(uint256 version) private view returns (bytes32) {
        return version == 0 ? initialPricesHash : _pricesHashes[version];
    }
}
