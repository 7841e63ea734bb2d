// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title Intermediary: a one-way payment channel from a consumer service to a provider service.
/// @notice The consumer locks funds and pays per request with EIP-712 signed tokens
///         `Token(uint256 tokenId, uint256 requests)`; the provider redeems the highest count of
///         a token ID in two steps (announce, then redeem after `redemptionTimeout`) and pulls
///         what it earned. Termination by the consumer is announced and takes effect after
///         `terminationTimeout`, leaving the provider time to redeem its last token. Every
///         failure reverts with a custom error; no ether is ever pushed.
/// @dev Deployed by IntermediaryFactory. Invariant:
///      address(this).balance >= consumerFunds + providerFunds.
///      Every function keeps the two sides equal; they can differ only by ether forced in
///      without running this contract's code (by selfdestruct or as a block's coinbase), which
///      is credited to no one and never paid out.
contract Intermediary is EIP712 {
    bytes32 public constant TOKEN_TYPEHASH = keccak256("Token(uint256 tokenId,uint256 requests)");

    address public immutable factory;
    address public immutable consumer;
    address public immutable provider;
    uint256 public immutable costPerRequest;
    /// @notice Seconds between `startRedemption` and the earliest `redeem`.
    uint256 public immutable redemptionTimeout;
    /// @notice Seconds between `startTermination` and the earliest `terminate` by the consumer.
    uint256 public immutable terminationTimeout;

    /// @notice Funds locked by the consumer and not yet paid to the provider.
    uint256 public consumerFunds;
    /// @notice Funds earned by the provider and not yet withdrawn.
    uint256 public providerFunds;
    /// @notice Token ID the consumer signs new tokens with; 0 once termination started and the
    ///         last token went into redemption, or after termination.
    uint256 public activeTokenId;
    /// @notice Token ID under redemption, 0 when none.
    uint256 public expiringTokenId;
    /// @notice Earliest timestamp at which `expiringTokenId` can be redeemed.
    uint256 public redeemableAt;
    /// @notice Highest token ID ever assigned; new IDs must exceed it, so none is ever reused.
    uint256 public lastTokenId;
    /// @notice Timestamp after which the consumer may terminate; 0 while not started.
    uint256 public terminatesAt;
    bool public terminated;

    event Deposited(address indexed from, uint256 amount, uint256 consumerFunds);
    event RedemptionStarted(uint256 indexed expiringTokenId, uint256 indexed activeTokenId, uint256 redeemableAt);
    event Redeemed(
        uint256 indexed tokenId, uint256 requests, uint256 amount, uint256 consumerFunds, uint256 providerFunds
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
    error NoActiveToken();
    error RedemptionPending(uint256 expiringTokenId);
    error NoRedemptionPending();
    error RedemptionNotDue(uint256 redeemableAt);
    error TokenIdUsed(uint256 tokenId, uint256 lastTokenId);
    error InvalidSignature();
    error NothingToWithdraw();
    error TransferFailed();

    modifier onlyProvider() {
        if (msg.sender != provider) revert NotProvider();
        _;
    }

    modifier onlyConsumer() {
        if (msg.sender != consumer) revert NotConsumer();
        _;
    }

    modifier notTerminated() {
        if (terminated) revert AlreadyTerminated();
        _;
    }

    /// @dev Arguments are validated by the factory, the only intended deployer.
    constructor(
        address consumer_,
        address provider_,
        uint256 costPerRequest_,
        uint256 redemptionTimeout_,
        uint256 terminationTimeout_
    ) payable EIP712("Intermediary", "1") {
        factory = msg.sender;
        consumer = consumer_;
        provider = provider_;
        costPerRequest = costPerRequest_;
        redemptionTimeout = redemptionTimeout_;
        terminationTimeout = terminationTimeout_;
        activeTokenId = 1;
        lastTokenId = 1;
        if (msg.value > 0) {
            consumerFunds = msg.value;
            emit Deposited(consumer_, msg.value, msg.value);
        }
    }

    /// @notice Adds funds for future requests. Refused once termination has started.
    function deposit() external payable onlyConsumer notTerminated {
        if (terminatesAt != 0) revert TerminationAlreadyStarted();
        if (msg.value == 0) revert ZeroDeposit();
        uint256 funds = consumerFunds + msg.value;
        consumerFunds = funds;
        emit Deposited(msg.sender, msg.value, funds);
    }

    /// @notice Announces the redemption of the active token ID. It stays acceptable off chain
    ///         for the tolerance window and becomes redeemable after `redemptionTimeout`.
    ///         `newTokenId` becomes active, unless termination has started (then none is).
    /// @param newTokenId Must exceed every ID used before; ignored once termination started.
    function startRedemption(uint256 newTokenId) external onlyProvider notTerminated {
        uint256 expiring = expiringTokenId;
        if (expiring != 0) revert RedemptionPending(expiring);
        uint256 active = activeTokenId;
        if (active == 0) revert NoActiveToken();
        uint256 next = 0;
        if (terminatesAt == 0) {
            if (newTokenId <= lastTokenId) revert TokenIdUsed(newTokenId, lastTokenId);
            next = newTokenId;
            lastTokenId = newTokenId;
        }
        uint256 due = block.timestamp + redemptionTimeout;
        expiringTokenId = active;
        activeTokenId = next;
        redeemableAt = due;
        emit RedemptionStarted(active, next, due);
    }

    /// @notice Completes the pending redemption with the consumer's token for the expiring ID.
    ///         `requests == 0` closes a redemption for which no valid token exists (no signature
    ///         needed, nothing paid). A token worth more than the consumer's funds pays what is
    ///         left, so an honest provider is never stuck behind an underfunded channel.
    /// @param requests Request count on the token.
    /// @param signature 65-byte EIP-712 signature by the consumer (low-s only).
    function redeem(uint256 requests, bytes calldata signature) external onlyProvider notTerminated {
        uint256 tokenId = expiringTokenId;
        if (tokenId == 0) revert NoRedemptionPending();
        if (block.timestamp < redeemableAt) revert RedemptionNotDue(redeemableAt);

        uint256 amount = 0;
        if (requests != 0) {
            bytes32 digest = _hashTypedDataV4(keccak256(abi.encode(TOKEN_TYPEHASH, tokenId, requests)));
            (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
            if (err != ECDSA.RecoverError.NoError || signer != consumer) revert InvalidSignature();
            uint256 funds = consumerFunds;
            // Cap instead of overflow: requests * cost > funds  <=>  requests > funds / cost.
            amount = requests > funds / costPerRequest ? funds : requests * costPerRequest;
        }

        uint256 consumerLeft = consumerFunds - amount;
        uint256 providerNow = providerFunds + amount;
        consumerFunds = consumerLeft;
        providerFunds = providerNow;
        expiringTokenId = 0;
        redeemableAt = 0;
        emit Redeemed(tokenId, requests, amount, consumerLeft, providerNow);
    }

    /// @notice Pays the caller what it is owed: the provider its earnings at any time, the
    ///         consumer its remaining funds after termination.
    function withdraw() external {
        uint256 amount;
        if (msg.sender == provider) {
            amount = providerFunds;
            providerFunds = 0;
        } else if (msg.sender == consumer) {
            if (!terminated) revert NotTerminated();
            amount = consumerFunds;
            consumerFunds = 0;
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
    function startTermination() external onlyConsumer notTerminated {
        if (terminatesAt != 0) revert TerminationAlreadyStarted();
        uint256 deadline = block.timestamp + terminationTimeout;
        terminatesAt = deadline;
        emit TerminationStarted(msg.sender, deadline);
    }

    /// @notice Ends the channel: the provider at any time, the consumer after the deadline.
    ///         Balances stay in the contract for each side to `withdraw`; a pending redemption
    ///         is void.
    function terminate() external notTerminated {
        if (msg.sender == consumer) {
            uint256 deadline = terminatesAt;
            if (deadline == 0) revert TerminationNotStarted();
            if (block.timestamp < deadline) revert TerminationNotDue(deadline);
        } else if (msg.sender != provider) {
            revert NotParty();
        }
        terminated = true;
        activeTokenId = 0;
        expiringTokenId = 0;
        redeemableAt = 0;
        emit Terminated(msg.sender, consumerFunds, providerFunds);
    }

    /// @notice The EIP-712 digest the consumer signs for a token of this channel.
    function tokenDigest(uint256 tokenId, uint256 requests) external view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(TOKEN_TYPEHASH, tokenId, requests)));
    }
}
