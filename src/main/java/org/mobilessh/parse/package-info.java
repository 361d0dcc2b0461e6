/**
 * The parse stage: one parser per log format (syslog, journald, dmesg, conntrack, ulogd2), each
 * turning one line into an immutable event record ({@link org.mobilessh.parse.NetfilterEvent},
 * {@link org.mobilessh.parse.ConntrackEvent}), a counted skip, or a {@link
 * org.mobilessh.parse.Diagnostic} with file:line and the offending text. Parsers never throw on bad
 * input and know nothing of files, indexes or the command line: the ingest stage feeds them lines.
 */
package org.mobilessh.parse;
