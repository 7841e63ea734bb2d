import { type WindowQuery, windowQueryOf } from '../../costs/window'

export { costGraph } from './graph'
export { costReport } from './report'
export { costSeries } from './series'
export { serviceCosts } from './service'

/** The window parameters of a request's query string. */
export const windowQuery = (query: URLSearchParams): WindowQuery => windowQueryOf((name) => query.get(name))
