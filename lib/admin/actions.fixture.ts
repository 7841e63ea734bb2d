import { contractErrorSentence } from '../contractErrors'

/** What channelActions tells a stranger (actions.test.ts, actions.anvil.test.ts). */
export const NOT_PARTY = `The connected account is neither this channel's consumer nor its provider. ${contractErrorSentence('NotParty')}`
