export { costGraph } from './graph'
export { costReport } from './report'
export { costSeries } from './series'
export { serviceCosts } from './service'
