import { expect, type Page, test } from '@playwright/test'
import type { CostGraph } from '../lib/costs/api'
import { getJson } from './kit/api'
import {
  graphNetwork,
  graphNode,
  graphWindow,
  seedGraphNetwork,
  serviceNamed,
  settledViewport,
  teamNode,
  unseedGraphNetwork,
} from './kit/costsGraph'
import { screenshot } from './kit/pages'

/**
 * The cost graph at 200 services (20 teams of 10, about 900 channels, 20,000 redemptions on one
 * day of 2021, seeded into the stack's database): usable as a manager would use it, on a desktop
 * and on a phone. Teams start collapsed; search focuses a service (its team opens, its callers
 * and callees light up, the rest dims; the URL keeps it); zoom and fit move the viewport; a team
 * opens into its services and closes again.
 */

let chainId = 0
let api: CostGraph
const page200 = `/costs?${graphWindow}`
const teamOf = new Map(graphNetwork.services.map((s) => [s.address, s.team]))

test.describe('the cost graph at 200 services', () => {
  test.describe.configure({ mode: 'serial' })

  test.beforeAll(async ({ request }) => {
    chainId = (await getJson<CostGraph>(request, '/api/costs/graph?window=24h')).chainId
    await seedGraphNetwork(chainId)
    // Labels are cached for 5 s per instance (lib/server/services/labels.ts): an earlier spec's
    // read (the other project's run removed this network) can still hold them without ours.
    await expect
      .poll(
        async () => {
          api = await getJson<CostGraph>(request, `/api/costs/graph?${graphWindow}`)
          return api.nodes.filter((n) => n.name === null).length
        },
        { message: 'the seeded services carry their labels', timeout: 30_000 },
      )
      .toBe(0)
    expect(api.totals.services).toBe(200)
    expect(api.totals.redemptions).toBe(20_000)
  })
  test.afterAll(async () => {
    await unseedGraphNetwork(chainId)
  })

  /** Opens the graph and waits until it is drawn: one node per team. */
  async function open(page: Page, extra = '') {
    await page.goto(`${page200}${extra}`)
    await expect(page.getByTestId('cost-graph')).toHaveAttribute('data-ready', 'true')
  }

  test('teams start collapsed, each carrying its members’ summed flows', async ({ page, isMobile }) => {
    await open(page)
    await expect(page.getByTestId('graph-team')).toHaveCount(20)
    await expect(page.getByTestId('graph-node')).toHaveCount(0)
    await expect(page.getByTestId('cost-graph')).toHaveAttribute('data-direction', isMobile ? 'TB' : 'LR')
    // team-cg-4: what its ten services paid, summed from the API's nodes.
    const members = api.nodes.filter((n) => teamOf.get(n.address) === 'team-cg-4')
    expect(members).toHaveLength(10)
    const paid = members.reduce((sum, n) => sum + BigInt(n.paid), 0n)
    await expect(teamNode(page, 'team-cg-4').locator('[data-wei]').first()).toHaveAttribute(
      'data-wei',
      paid.toString(),
    )
  })

  test('search finds a service and focuses it: its edges highlighted, the rest dimmed, kept in the URL', async ({
    page,
  }) => {
    await open(page)
    const target = serviceNamed('cg-57')
    await page.getByTestId('graph-search').fill('cg-57')
    await expect(page.getByTestId('graph-search-result').first()).toHaveAttribute(
      'data-address',
      target.address,
    )
    await page.getByTestId('graph-search').press('Enter')
    await expect(page).toHaveURL(/[?&]focus=cg-57(&|$)/)
    await expect(page.getByTestId('graph-focus')).toHaveAttribute('data-address', target.address)
    // Its team opened; the node is focused.
    await expect(graphNode(page, target.address)).toHaveAttribute('data-state', 'focused')
    await expect(page.locator(`[data-testid="team-collapse"][data-team="${target.team}"]`)).toHaveCount(1)

    // Expected, from the API's pairs: each pair of cg-57's, drawn between its own node and the
    // other end's (a service of its team, else that service's collapsed team).
    const drawn = (address: string) =>
      teamOf.get(address) === target.team ? address : `team:${teamOf.get(address)}`
    const mine = api.edges.filter((e) => e.consumer === target.address || e.provider === target.address)
    expect(mine.length).toBeGreaterThan(1)
    const want = [...new Set(mine.map((e) => `${drawn(e.consumer)}>${drawn(e.provider)}`))].sort()
    const edges = page.getByTestId('graph-edge')
    await expect(page.locator('[data-testid="graph-edge"][data-state="focused"]')).toHaveCount(want.length)
    const focused = await page
      .locator('[data-testid="graph-edge"][data-state="focused"]')
      .evaluateAll((els) =>
        els.map((el) => `${el.getAttribute('data-consumer')}>${el.getAttribute('data-provider')}`),
      )
    expect(focused.sort()).toEqual(want)
    const total = await edges.count()
    await expect(page.locator('[data-testid="graph-edge"][data-state="dimmed"]')).toHaveCount(
      total - want.length,
    )
    // A focused edge between two services carries that pair's settled amount and opens its channel.
    const inTeam = mine.find((e) => teamOf.get(e.consumer) === teamOf.get(e.provider))
    if (inTeam) {
      const edge = page.locator(
        `[data-testid="graph-edge"][data-consumer="${inTeam.consumer}"][data-provider="${inTeam.provider}"]`,
      )
      await expect(edge).toHaveAttribute('data-settled', inTeam.settled)
      await expect(edge).toHaveAttribute('href', `/channels/${inTeam.channels[0]?.address}`)
    }
    // Neighbours lit, a team with no pair of cg-57's dimmed.
    const neighbours = new Set(
      mine.map((e) => drawn(e.consumer === target.address ? e.provider : e.consumer)),
    )
    for (const id of neighbours) {
      const locator = id.startsWith('team:') ? teamNode(page, id.slice(5)) : graphNode(page, id)
      await expect(locator, id).toHaveAttribute('data-state', 'neighbour')
    }
    const stranger = graphNetwork.services.find(
      (s) => s.team !== target.team && !neighbours.has(`team:${s.team}`),
    )
    if (stranger) await expect(teamNode(page, stranger.team)).toHaveAttribute('data-state', 'dimmed')

    // Cleared: nothing dimmed, the URL without it.
    await page.getByTestId('graph-unfocus').click()
    await expect(page.locator('[data-testid="graph-edge"][data-state="dimmed"]')).toHaveCount(0)
    await expect(page).not.toHaveURL(/focus=/)
  })

  test('?focus=<service> in the URL opens the graph focused on it', async ({ page }) => {
    const target = serviceNamed('cg-120')
    await open(page, '&focus=cg-120')
    await expect(graphNode(page, target.address)).toHaveAttribute('data-state', 'focused')
    await expect(page.getByTestId('graph-focus')).toHaveAttribute('data-address', target.address)
  })

  test('zoom changes the viewport transform; fit brings everything back into view', async ({ page }) => {
    await open(page)
    await page.locator('.react-flow__controls-fitview').click()
    const fitted = await settledViewport(page)
    await page.locator('.react-flow__controls-zoomin').click()
    await page.locator('.react-flow__controls-zoomin').click()
    const zoomed = await settledViewport(page)
    expect(zoomed.k).toBeGreaterThan(fitted.k)
    await page.locator('.react-flow__controls-fitview').click()
    const back = await settledViewport(page)
    expect(back.k).toBeCloseTo(fitted.k, 5)
    expect(back.x).toBeCloseTo(fitted.x, 3)
    expect(back.y).toBeCloseTo(fitted.y, 3)
    // Every team inside the canvas.
    const canvas = await page.getByTestId('graph-canvas').boundingBox()
    const boxes = await page
      .getByTestId('graph-team')
      .evaluateAll((els) => els.map((el) => el.getBoundingClientRect().toJSON()))
    expect(boxes).toHaveLength(20)
    for (const b of boxes as DOMRect[]) {
      expect(b.left).toBeGreaterThanOrEqual((canvas?.x ?? 0) - 1)
      expect(b.right).toBeLessThanOrEqual((canvas?.x ?? 0) + (canvas?.width ?? 0) + 1)
      expect(b.top).toBeGreaterThanOrEqual((canvas?.y ?? 0) - 1)
      expect(b.bottom).toBeLessThanOrEqual((canvas?.y ?? 0) + (canvas?.height ?? 0) + 1)
    }
  })

  test('a team opens into its services and closes again', async ({ page }) => {
    await open(page)
    const members = graphNetwork.services.filter((s) => s.team === 'team-cg-3')
    await teamNode(page, 'team-cg-3').getByTestId('team-toggle').click()
    await expect(teamNode(page, 'team-cg-3')).toHaveCount(0)
    for (const s of members) await expect(graphNode(page, s.address), s.name).toHaveCount(1)
    await expect(page.getByTestId('graph-team')).toHaveCount(19)
    await page.locator('[data-testid="team-collapse"][data-team="team-cg-3"]').click()
    await expect(teamNode(page, 'team-cg-3')).toHaveCount(1)
    await expect(page.getByTestId('graph-node')).toHaveCount(0)
  })

  test('screenshots: collapsed, focused', async ({ page }, info) => {
    const graphShot = async (name: string) => {
      await settledViewport(page)
      const file = info.outputPath(`${info.project.name}-${name}-graph.png`)
      await page.getByTestId('cost-graph').screenshot({ path: file })
      await info.attach(`${info.project.name}-${name}-graph`, { path: file, contentType: 'image/png' })
      await screenshot(page, info, name)
    }
    await open(page)
    await graphShot('graph-200')
    await open(page, '&focus=cg-57')
    await expect(graphNode(page, serviceNamed('cg-57').address)).toHaveAttribute('data-state', 'focused')
    await graphShot('graph-200-focused')
  })
})
