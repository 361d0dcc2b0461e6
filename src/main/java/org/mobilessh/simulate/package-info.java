/**
 * The simulate stage: a deterministic month of router logs for demos, tests and benchmarks. A model
 * of the ruleset's kernel behaviour (xt_recent set/update/rcheck/remove, the hashlimit and limit
 * that sample the reject LOG) replays generated client traffic and writes rsyslog {@code kern.log}
 * and {@code syslog}, {@code conntrack -E} logs, rotated like logrotate does, plus its own ground
 * truth. It writes files only; it knows nothing of the command line, ingest or the index.
 */
package org.mobilessh.simulate;
