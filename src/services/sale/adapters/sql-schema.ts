import type { Migrations } from '../../../platform/postgres/mod.js';
import { CHECKOUT_RESULTS } from '../domain/outcomes.js';

const RECORDED = CHECKOUT_RESULTS.filter((r) => r !== 'unavailable')
  .map((r) => `'${r}'`)
  .join(', ');

/**
 * The sale's tables, recorded under the component "sale". What the constraints guarantee, even
 * against a wrong application:
 * - a purchase's item exists in its sale (items: 1..the sale's item count, enforced by a foreign
 *   key to the sale's own count), and is sold once (primary key (sale, item));
 * - a code is purchased once (unique), and only a code some checkout issued (foreign key);
 * - no user buys more than the sale's limit: every purchase row bumps a per-(sale, user) counter
 *   in the same statement (a trigger), and the counter has CHECK (bought <= user_limit), where
 *   user_limit is tied to the sale's by a foreign key;
 * - purchases are append-only (an UPDATE cannot move one to another user or item);
 * - sales never overlap in time.
 * One statement per step: PGlite runs one statement per query.
 */
export const SALE_MIGRATIONS: Migrations = {
  component: 'sale',
  steps: [
    `CREATE TABLE sales (
      id bigint PRIMARY KEY,
      starts_at timestamptz NOT NULL,
      ends_at timestamptz NOT NULL,
      items integer NOT NULL CHECK (items > 0),
      user_limit integer NOT NULL CHECK (user_limit > 0),
      CONSTRAINT sales_window CHECK (ends_at > starts_at),
      CONSTRAINT sales_no_overlap EXCLUDE USING gist (tstzrange(starts_at, ends_at) WITH &&),
      CONSTRAINT sales_items UNIQUE (id, items),
      CONSTRAINT sales_user_limit UNIQUE (id, user_limit)
    )`,
    `CREATE TABLE items (
      sale_id bigint NOT NULL,
      item_id integer NOT NULL,
      stock integer NOT NULL,
      name text NOT NULL,
      image_url text NOT NULL,
      PRIMARY KEY (sale_id, item_id),
      CONSTRAINT items_of_sale FOREIGN KEY (sale_id, stock) REFERENCES sales (id, items),
      CONSTRAINT items_within_stock CHECK (item_id BETWEEN 1 AND stock)
    )`,
    `CREATE TABLE checkouts (
      id text PRIMARY KEY,
      sale_id bigint NOT NULL REFERENCES sales (id),
      user_id bigint,
      item_id integer,
      result text NOT NULL CHECK (result IN (${RECORDED})),
      code text,
      expires_at timestamptz,
      attempted_at timestamptz NOT NULL,
      CONSTRAINT checkouts_code_iff_reserved CHECK (
        (result = 'reserved') = (code IS NOT NULL AND expires_at IS NOT NULL AND user_id IS NOT NULL AND item_id IS NOT NULL)
      )
    )`,
    `CREATE INDEX checkouts_live ON checkouts (sale_id, expires_at) WHERE result = 'reserved'`,
    `CREATE TABLE purchases (
      sale_id bigint NOT NULL,
      item_id integer NOT NULL,
      user_id bigint NOT NULL,
      code text NOT NULL,
      purchased_at timestamptz NOT NULL,
      CONSTRAINT purchases_one_per_item PRIMARY KEY (sale_id, item_id),
      CONSTRAINT purchases_code_once UNIQUE (code),
      CONSTRAINT purchases_of_checkout FOREIGN KEY (code) REFERENCES checkouts (id),
      CONSTRAINT purchases_of_item FOREIGN KEY (sale_id, item_id) REFERENCES items (sale_id, item_id)
    )`,
    `CREATE TABLE sale_users (
      sale_id bigint NOT NULL,
      user_id bigint NOT NULL,
      user_limit integer NOT NULL,
      bought integer NOT NULL,
      PRIMARY KEY (sale_id, user_id),
      CONSTRAINT sale_users_of_sale FOREIGN KEY (sale_id, user_limit) REFERENCES sales (id, user_limit),
      CONSTRAINT sale_users_within_limit CHECK (bought BETWEEN 0 AND user_limit)
    )`,
    // SET search_path FROM CURRENT: the trigger finds this schema's tables whatever the caller's path.
    `CREATE FUNCTION sale_count_purchase() RETURNS trigger LANGUAGE plpgsql
      SET search_path FROM CURRENT AS $$
      BEGIN
        INSERT INTO sale_users (sale_id, user_id, user_limit, bought)
          SELECT NEW.sale_id, NEW.user_id, s.user_limit, 1 FROM sales s WHERE s.id = NEW.sale_id
          ON CONFLICT (sale_id, user_id) DO UPDATE SET bought = sale_users.bought + 1;
        RETURN NULL;
      END $$`,
    `CREATE TRIGGER purchases_count AFTER INSERT ON purchases
      FOR EACH ROW EXECUTE FUNCTION sale_count_purchase()`,
    `CREATE FUNCTION sale_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'purchases are append-only' USING ERRCODE = 'integrity_constraint_violation';
      END $$`,
    `CREATE TRIGGER purchases_append_only BEFORE UPDATE ON purchases
      FOR EACH ROW EXECUTE FUNCTION sale_append_only()`,
  ],
};
