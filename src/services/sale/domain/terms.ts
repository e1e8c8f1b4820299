/**
 * A sale and its items, as the domain knows them. Times are epoch milliseconds.
 */

/** One sale: fixed when it starts, whatever flags a later restart brings. */
export interface SaleTerms {
  /** The start instant in epoch seconds: unique, ordered, readable. */
  readonly id: number;
  readonly startsAt: number;
  /** Exclusive: the next sale starts here. */
  readonly endsAt: number;
  /** Items are numbered 1..items. */
  readonly items: number;
  /** Most items one user may buy in this sale. */
  readonly userLimit: number;
}

/** What a sale would be if it started from the settings now. */
export interface SaleSettings {
  readonly intervalMs: number;
  readonly items: number;
  readonly userLimit: number;
}

/**
 * The sale window holding `at`, aligned to the clock: windows start at whole multiples of the
 * interval since the Unix epoch, so a 1 h interval starts on the (UTC) hour and a 10 s interval on
 * :00, :10, :20, ... of every minute. `intervalMs` is whole seconds.
 */
export function alignedTerms(at: number, settings: SaleSettings): SaleTerms {
  const startsAt = Math.floor(at / settings.intervalMs) * settings.intervalMs;
  return {
    id: startsAt / 1000,
    startsAt,
    endsAt: startsAt + settings.intervalMs,
    items: settings.items,
    userLimit: settings.userLimit,
  };
}

/** An item of a sale's catalogue. */
export interface CatalogItem {
  readonly name: string;
  readonly imageUrl: string;
}

// biome-ignore format: a table reads better
const ADJECTIVES = [
  'Amber', 'Arctic', 'Brass', 'Cobalt', 'Coral', 'Crimson', 'Dusky', 'Ember',
  'Fern', 'Frost', 'Golden', 'Granite', 'Hazel', 'Indigo', 'Ivory', 'Jade',
  'Lunar', 'Maple', 'Misty', 'Ochre', 'Onyx', 'Pearl', 'Polar', 'Quartz',
  'Rustic', 'Saffron', 'Silver', 'Slate', 'Solar', 'Teal', 'Velvet', 'Willow',
];

// biome-ignore format: a table reads better
const NOUNS = [
  'Backpack', 'Blender', 'Camera', 'Candle', 'Chair', 'Clock', 'Drone', 'Headphones',
  'Jacket', 'Kettle', 'Keyboard', 'Lamp', 'Lantern', 'Mug', 'Notebook', 'Pillow',
  'Projector', 'Radio', 'Scarf', 'Sneakers', 'Speaker', 'Teapot', 'Telescope', 'Tent',
  'Thermos', 'Toaster', 'Umbrella', 'Vase', 'Wallet', 'Watch', 'Whisk', 'Yo-yo',
];

/** A 32-bit integer hash of two numbers (murmur3's finaliser): neighbours give unrelated values. */
function mix(a: number, b: number): number {
  let x = (Math.imul(a | 0, 0x9e3779b1) ^ (b | 0)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/**
 * Item `n` of sale `saleId`, generated when the sale starts: a product name and an image URL.
 * Deterministic in (sale, n), so every process that opens the same sale writes the same catalogue.
 * The image comes from picsum.photos, which serves a stable photo per seed.
 */
export function catalogItem(saleId: number, n: number): CatalogItem {
  const h = mix(saleId, n);
  const name = `${ADJECTIVES[h & 31]} ${NOUNS[(h >>> 5) & 31]} #${n}`;
  return { name, imageUrl: `https://picsum.photos/seed/peaklab-${saleId}-${n}/400/400` };
}
