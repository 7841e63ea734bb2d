// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title IIntermediaryV2: the events and custom errors of IntermediaryV2 channels.
/// @notice Every event a channel emits and every error it reverts with (besides PriceTables'
///         CategoryCountMismatch, InvalidCategoryCount and ZeroPrice), declared apart from the
///         contract so its logic reads on its own.
interface IIntermediaryV2 {
    event Deposited(address indexed from, uint256 amount, uint256 consumerFunds);
    /// @notice The price table of token ID `fromTokenId` and of every later ID until the next
    ///         announcement: emitted at opening (for token ID 1) and by
    ///         `startRedemptionWithPrices` (for the ID it makes active).
    event PricesAnnounced(uint256 indexed fromTokenId, uint256 version, uint256[] prices);
    event RedemptionStarted(uint256 indexed expiringTokenId, uint256 indexed activeTokenId, uint256 redeemableAt);
    /// @notice A redeemed token: its counts per category and the price table of its token ID, so
    ///         one log says what was bought at which price. Empty arrays: closed without a token.
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
    /// @dev A timeout over 2**32 seconds given to the constructor (the factory allows 365 days).
    error TimeoutTooLong();
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
