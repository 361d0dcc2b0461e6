/**
 * {@code mobilessh report}: the monthly audit report, as HTML or PDF/A, from one sandboxed
 * FreeMarker template.
 *
 * <p>Stages: {@link org.mobilessh.report.ReportModel} turns an {@link
 * org.mobilessh.audit.AuditResult} and the index's coverage facts into a tree of plain values (no
 * objects a template could call into); {@link org.mobilessh.report.Charts} draws the charts with
 * JFreeChart into SVG (vectors in both outputs); {@link org.mobilessh.report.Templates} finds the
 * template (a user directory first, the bundled default second) and renders it with class access
 * and the {@code ?api} built-in disabled and HTML auto-escaping on; {@link
 * org.mobilessh.report.PdfOutput} lays the XHTML out as paged media with openhtmltopdf and writes a
 * deterministic PDF/A-3b. {@link org.mobilessh.report.ReportRenderer} is the entry point; every
 * failure is a {@link org.mobilessh.report.ReportException}.
 */
package org.mobilessh.report;
