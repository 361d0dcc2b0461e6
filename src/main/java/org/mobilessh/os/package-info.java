/**
 * The operating system as the pipeline stages see it: running system tools (always as argument
 * lists, never through a shell) in the host or in a named network namespace.
 */
package org.mobilessh.os;
