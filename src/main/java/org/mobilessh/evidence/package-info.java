/**
 * What leaves the tool for auditors: the audit of one month exported as CSV files ({@link
 * org.mobilessh.evidence.CsvExport}, raw or spreadsheet-safe), and an evidence bundle in the BagIt
 * layout (RFC 8493) with the CSVs, the raw source lines behind every row and a SHA-256 manifest,
 * written as a deterministic zip ({@link org.mobilessh.evidence.BagWriter}) and checked by {@link
 * org.mobilessh.evidence.BagVerifier} without trusting the writer. {@link
 * org.mobilessh.evidence.MonthAudit} reads the month from the index. Knows nothing of the command
 * line or of how the report is rendered: a rendered report arrives as bytes. See {@code
 * docs/evidence.md}.
 */
package org.mobilessh.evidence;
