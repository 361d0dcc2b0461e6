/**
 * The ruleset: its typed configuration, the template renderer (iptables-restore text), the
 * installer that applies both families atomically, the checker that compares a live ruleset with
 * what the configuration renders, snapshots, and the xt_recent list.
 */
package org.mobilessh.rules;
