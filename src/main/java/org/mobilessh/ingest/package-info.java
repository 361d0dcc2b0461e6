/**
 * The ingest stage: turns command-line inputs (files, directories, globs, {@code .gz}, stdin, live
 * tails) into byte-exact lines with offsets, lets the parse stage turn them into events, and hands
 * events, quarantined lines and per-source checkpoints to the index stage, which commits them
 * together. Knows nothing of the command line: the {@code cli} stage prints what it reports.
 */
package org.mobilessh.ingest;
