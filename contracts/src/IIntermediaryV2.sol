// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @dev The longest termination timeout of a channel (365 days, as v1's factory); a third of it
///      is the longest redemption timeout. A deadline (now + at most this) fits its 40 bits.
uint256 constant MAX_TIMEOUT = 365 days;

/// @title IIntermediaryV2Terms: the errors of a channel's terms (parties, timeouts, price tables).
/// @notice IntermediaryV2's constructor checks the terms, so a channel deployed without the factory
///         has the same guarantees; IntermediaryFactoryV2 inherits these errors so that `open`'s
///         ABI decodes what the constructor reverts with.
interface IIntermediaryV2Terms {
    /// @dev A zero consumer address (only possible when deploying a channel directly).
    error InvalidConsumer();
    /// @dev A zero provider address, or the consumer's.
    error InvalidProvider();
    /// @dev A redemption timeout of 0 or over `max` (MAX_TIMEOUT / 3, see v1's IntermediaryFactory).
    error InvalidRedemptionTimeout(uint256 max);
    /// @dev A termination timeout under `min`, three redemption timeouts (see v1's IntermediaryFactory).
    error TerminationTimeoutTooShort(uint256 min);
    error TerminationTimeoutTooLong(uint256 max);
    /// @dev An opening table with no category, or with more than `max` (PriceTables.MAX_CATEGORIES).
    error InvalidCategoryCount(uint256 given, uint256 max);
    /// @dev A price change or a token's counts whose length is not the channel's category count.
    error CategoryCountMismatch(uint256 expected, uint256 given);
    /// @dev A price of 0 wei: a free category needs no channel, and it would make a token's value
    ///      meaningless for the cap arithmetic of `redeem` (a division by the price).
    error ZeroPrice(uint256 category);
}

/// @title IIntermediaryV2: the events and custom errors of IntermediaryV2 channels.
/// @notice Every event a channel emits and every error it reverts with, declared apart from the
///         contract so its logic reads on its own.
interface IIntermediaryV2 is IIntermediaryV2Terms {
    event Deposited(address indexed from, uint256 amount, uint256 consumerFunds);
    /// @notice The price table of token ID `fromTokenId` and of every later ID until the next
    ///         announcement: emitted at opening (for token ID 1) and by
    ///         `startRedemptionWithPrices` (for the ID it makes active).
    event PricesAnnounced(uint256 indexed fromTokenId, uint256 version, uint256[] prices);
    event RedemptionStarted(uint256 indexed expiringTokenId, uint256 indexed activeTokenId, uint256 redeemableAt);
    /// @notice A redeemed token: its counts per category and the price table of its token ID, so
    ///         one log says what was bought at which price. Empty arrays: closed without a token.
    /// @param requests What the token claimed: its request count per category.
    /// @param amount What was paid: the counts' value at `prices`, capped at the consumer's funds,
    ///        so it is less than that value when the channel was underfunded (0 when closed).
    /// @param consumerFunds The consumer's funds left after the payment.
    /// @param providerFunds The provider's earnings not yet withdrawn, this payment included.
    event Redeemed(
        uint256 indexed tokenId,
        uint256[] requests,
        uint256[] prices,
        uint256 amount,
        uint256 consumerFunds,
        uint256 providerFunds
    );
    event Withdrawn(address indexed to, uint256 amount);
    event TerminationStarted(address indexed by, uint256 terminatesAt);
    event Terminated(address indexed by, uint256 consumerRefund, uint256 providerPayout);

    error NotConsumer();
    error NotProvider();
    error NotParty();
    error AlreadyTerminated();
    error TerminationAlreadyStarted();
    /// @dev `terminate()` by the consumer without `startTermination()` first.
    error TerminationNotStarted();
    /// @dev `withdraw()` by the consumer before the channel is terminated (announced or not).
    error NotTerminated();
    error TerminationNotDue(uint256 terminatesAt);
    error ZeroDeposit();
    /// @dev A deposit that would take the channel's funds to 2**128 wei or more (more ether
    ///      than exists), so the funds always fit their 128-bit halves.
    error FundsOverflow();
    /// @dev The 2**32nd price change of a channel (versions are 32 bits); unreachable in practice.
    error TooManyPriceChanges();
    error NoActiveToken();
    error RedemptionPending(uint256 expiringTokenId);
    error NoRedemptionPending();
    error RedemptionNotDue(uint256 redeemableAt);
    /// @dev The table passed to `redeem` is not the one of the expiring token ID.
    error WrongPrices(uint256 tokenId);
    error InvalidSignature();
    error NothingToWithdraw();
    error TransferFailed();
}
