import { type Handled, jsonRoute, type RouteInput } from '../http/route'

export type ExplorerRouteContext<P> = Omit<RouteInput<P, undefined>, 'body'>

/** @deprecated being replaced by each feature's route table on {@link jsonRoute}. */
export function explorerRoute<P = Record<string, never>>(
  name: string,
  handler: (c: ExplorerRouteContext<P>) => Promise<Handled>,
) {
  return jsonRoute<P>({ name, handler })
}
