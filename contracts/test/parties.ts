import { createRequire } from 'node:module'
import type { Abi, Hex } from 'viem'

/*
 * Contract parties for the hostile tests (hostile.parties.test.ts): a channel party that
 * re-enters the channel from receive(), one that refuses every payment, and one that forces
 * ether in, compiled with solc when a test file starts.
 */

const PARTIES_SOL = `
// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

interface IChannel {
    function deposit() external payable;
    function startRedemption(uint256 newTokenId) external;
    function redeem(uint256 requests, bytes calldata signature) external;
    function withdraw() external;
    function startTermination() external;
    function terminate() external;
}

interface IFactory {
    function open(address provider, uint256 costPerRequest, uint256 redemptionTimeout, uint256 terminationTimeout)
        external
        payable
        returns (address);
}

/// A channel party that forwards the owner's calls to its channel.
abstract contract Party {
    IChannel public channel;

    function attach(IChannel channel_) external {
        channel = channel_;
    }

    function open(IFactory factory, address provider, uint256 cost, uint256 rt, uint256 tt) external payable {
        channel = IChannel(factory.open{value: msg.value}(provider, cost, rt, tt));
    }

    function deposit() external payable {
        channel.deposit{value: msg.value}();
    }

    function startRedemption(uint256 newTokenId) external {
        channel.startRedemption(newTokenId);
    }

    function redeem(uint256 requests, bytes calldata signature) external {
        channel.redeem(requests, signature);
    }

    function withdraw() external {
        channel.withdraw();
    }

    function startTermination() external {
        channel.startTermination();
    }

    function terminate() external {
        channel.terminate();
    }
}

/// Re-enters withdraw() and terminate() from receive(), up to three levels deep.
contract Reentrant is Party {
    uint256 public received;
    uint256 public payments;
    uint256 public reentries;
    uint256 public innerWithdrawSuccesses;
    uint256 public innerTerminateSuccesses;
    bytes public innerWithdrawError;
    bytes public innerTerminateError;

    receive() external payable {
        received += msg.value;
        payments += 1;
        if (reentries >= 3) return;
        reentries += 1;
        try channel.withdraw() {
            innerWithdrawSuccesses += 1;
        } catch (bytes memory reason) {
            innerWithdrawError = reason;
        }
        try channel.terminate() {
            innerTerminateSuccesses += 1;
        } catch (bytes memory reason) {
            innerTerminateError = reason;
        }
    }
}

/// Refuses every payment.
contract Refusing is Party {
    receive() external payable {
        revert("refused");
    }
}

/// Forces its value into \`target\`, which cannot refuse it (no code of the target runs).
contract ForceFeeder {
    constructor(address payable target) payable {
        selfdestruct(target);
    }
}
`

export type Artifact = { abi: Abi; bytecode: Hex }

/** Compiles the contract parties: their ABIs and creation bytecode. */
export function compileParties(): { Reentrant: Artifact; Refusing: Artifact; ForceFeeder: Artifact } {
  const solc = createRequire(import.meta.url)('solc') as { compile(input: string): string }
  const input = {
    language: 'Solidity',
    sources: { 'Parties.sol': { content: PARTIES_SOL } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: 'cancun',
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input))) as {
    errors?: { severity: string; formattedMessage: string }[]
    contracts: Record<string, Record<string, { abi: Abi; evm: { bytecode: { object: string } } }>>
  }
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  const artifact = (name: string): Artifact => {
    const c = output.contracts['Parties.sol']![name]!
    return { abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` }
  }
  return {
    Reentrant: artifact('Reentrant'),
    Refusing: artifact('Refusing'),
    ForceFeeder: artifact('ForceFeeder'),
  }
}
