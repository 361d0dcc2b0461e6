/**
 * The index stage: an embedded Lucene index of parsed events ({@link
 * org.mobilessh.index.EventIndex}) with idempotent adds across runs, files and sources, a
 * quarantine and per-source checkpoints committed atomically with the data; reading back ({@link
 * org.mobilessh.index.EventSearcher}) re-parses the stored original lines. Every field name is in
 * {@link org.mobilessh.index.Fields}; the schema and the event identity are described in {@code
 * docs/index-schema.md}. Knows nothing of files or the command line.
 */
package org.mobilessh.index;
