/** DCAT datasets are mapped by the feed's declarative mapping spec (src/ingest/mapping). */
export { mapWithConfig as mapRecord } from '../shared/records.js';
