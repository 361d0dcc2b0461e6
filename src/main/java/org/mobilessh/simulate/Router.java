package org.mobilessh.simulate;

/**
 * One simulated site: the router's name, interfaces and public addresses, the mail server and the
 * SSH host behind it. Router {@code n} (1..9) gets {@code 192.0.2.n}, {@code 2001:db8:n:ffff::1},
 * mail server {@code 198.51.100.(16n+10)} / {@code 2001:db8:n:1::10}, host {@code
 * 198.51.100.(16n+11)} / {@code 2001:db8:n:2::22}.
 */
final class Router {
  final int number;
  final String hostname;
  final String wanIf = "eth0";
  final String lanIf = "eth1";
  final String wanMac;
  final String gatewayMac;
  final Addr public4;
  final Addr public6;
  final Addr mail4;
  final Addr mail6;
  final Addr host4;
  final Addr host6;

  Router(int n) {
    this.number = n;
    this.hostname = "router" + n;
    this.wanMac = String.format("00:00:5e:00:53:%02x", n);
    this.gatewayMac = String.format("00:00:5e:00:53:%02x", 0xf0 + n);
    this.public4 = Addr.v4(192, 0, 2, n);
    this.public6 = Addr.v6(0x2001, 0xdb8, n, 0xffff, 0, 0, 0, 1);
    this.mail4 = Addr.v4(198, 51, 100, 16 * n + 10);
    this.mail6 = Addr.v6(0x2001, 0xdb8, n, 1, 0, 0, 0, 0x10);
    this.host4 = Addr.v4(198, 51, 100, 16 * n + 11);
    this.host6 = Addr.v6(0x2001, 0xdb8, n, 2, 0, 0, 0, 0x22);
  }

  Addr mail(int family) {
    return family == 6 ? mail6 : mail4;
  }

  Addr sshTarget(Flow.Target t, int family) {
    return switch (t) {
      case ROUTER -> family == 6 ? public6 : public4;
      case HOST -> family == 6 ? host6 : host4;
      case MAIL -> mail(family);
    };
  }
}
