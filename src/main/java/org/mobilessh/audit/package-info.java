/**
 * The audit model: windows, SSH sessions, rejections and anomalies reconstructed from a
 * time-ordered stream of parsed events ({@link org.mobilessh.audit.TracedEvent}: a parsed LOG line
 * or conntrack event plus the file and line it came from). {@link org.mobilessh.audit.AuditEngine}
 * is the only entry point; everything it returns is an immutable record carrying the source lines
 * it was derived from. The definitions, precision rules and the limits of what can be inferred are
 * in {@code docs/audit-model.md}. Knows nothing of files, indexes or the command line.
 */
package org.mobilessh.audit;
