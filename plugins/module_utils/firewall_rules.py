# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python logic of the NAT firewall role (cloudstack.infra.nat_firewall).

No Ansible import here: the filters in plugins/filter/firewall_filters.py wrap
these functions and tests/unit/test_firewall_rules.py calls them directly.

firewall_plan() turns the topology contract (cloudstack_zones,
cloudstack_firewall_forwards, the groups, cloudstack_site_vpn) plus the role's
own settings into what the nftables template needs, and lists every problem
it finds (each naming the value and the fix) so that the role can stop before
any host is changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils.topology_data import (
    FORBIDDEN_PUBLIC_PORTS,
)

# The firewall refuses to forward SSH as well: the hypervisors' and the
# servers' SSH is never forwarded from the Internet. The topology rule CS501
# (FORBIDDEN_PUBLIC_PORTS) does not list 22, as the firewall's own SSH port
# faces the admin networks; the NAT forwards refuse it in addition.
SSH_PORT = 22
# Ports the NAT firewall never forwards: the contract's list plus SSH.
FORBIDDEN_PORTS = FORBIDDEN_PUBLIC_PORTS + (SSH_PORT,)

# The forwards when cloudstack_firewall_forwards (nat_firewall_forwards) is
# not set: the one copy of this default (the role passes null).
DEFAULT_FORWARDS = (
    {'port': 80, 'to_port': 8080, 'proto': 'tcp'},
    {'port': 443, 'to_port': 8443, 'proto': 'tcp'},
)

DEFAULT_SITE = '__single_site__'
PROTOS = ('tcp', 'udp')


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _port(value):
    """Return value as an int port or None when it is not one."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if _is_int(value) and 1 <= value <= 65535:
        return value
    return None


def _ipv4(value):
    try:
        return ipaddress.IPv4Address(str(value).strip())
    except (ipaddress.AddressValueError, ValueError):
        return None


def _ipv4_net(value):
    try:
        return ipaddress.IPv4Network(str(value).strip(), strict=True)
    except (ipaddress.AddressValueError, ipaddress.NetmaskValueError, ValueError):
        return None


def normalize_forwards(forwards, forbidden_extra=None):
    """Check cloudstack_firewall_forwards; return (normalized list, errors)."""
    errors = []
    out = []
    forbidden = set(FORBIDDEN_PORTS) | set(_port(p) for p in (forbidden_extra or []) if _port(p))
    if forwards is None:
        forwards = list(DEFAULT_FORWARDS)
    if not isinstance(forwards, (list, tuple)):
        return [], ['cloudstack_firewall_forwards must be a list of {port, to_port, proto} '
                    'mappings, got %r; fix: e.g. [{port: 443, to_port: 8443, proto: tcp}]' % (forwards,)]
    seen = {}
    for index, entry in enumerate(forwards):
        where = 'cloudstack_firewall_forwards[%d]' % index
        if not isinstance(entry, dict):
            errors.append('%s is %r, not a mapping; fix: write it as {port: 443, to_port: 8443, proto: tcp}'
                          % (where, entry))
            continue
        unknown = sorted(set(entry) - set(('port', 'to_port', 'proto')))
        if unknown:
            errors.append('%s has unknown key(s) %s; fix: use only port, to_port and proto'
                          % (where, ', '.join(unknown)))
        port = _port(entry.get('port'))
        to_port = _port(entry.get('to_port', entry.get('port')))
        proto = str(entry.get('proto', 'tcp')).lower()
        if port is None:
            errors.append('%s.port is %r; fix: a port number from 1 to 65535' % (where, entry.get('port')))
        if to_port is None:
            errors.append('%s.to_port is %r; fix: a port number from 1 to 65535' % (where, entry.get('to_port')))
        if proto not in PROTOS:
            errors.append('%s.proto is %r; fix: tcp or udp' % (where, entry.get('proto')))
        for key, value in (('port', port), ('to_port', to_port)):
            if value is not None and value in forbidden:
                errors.append('%s.%s is %d, a port that must never face the Internet (forbidden: %s); '
                              'fix: remove this forward, the firewall refuses it (CS501)'
                              % (where, key, value, ', '.join(str(p) for p in sorted(forbidden))))
        if port is not None and proto in PROTOS:
            if (port, proto) in seen:
                errors.append('%s forwards %s/%d again (already in cloudstack_firewall_forwards[%d]); '
                              'fix: keep one entry per public port and protocol'
                              % (where, proto, port, seen[(port, proto)]))
            else:
                seen[(port, proto)] = index
        if port is not None and to_port is not None and proto in PROTOS:
            out.append({'port': port, 'to_port': to_port, 'proto': proto})
    return out, errors


def zone_site(zone):
    return zone.get('site') or DEFAULT_SITE


def zone_networks(zone, kinds=('management', 'storage')):
    """CIDRs of a zone's networks of the given kinds (storage may be a list or a mapping)."""
    nets = (zone or {}).get('networks') or {}
    out = []
    for kind in kinds:
        value = nets.get(kind)
        if value is None:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if isinstance(item, dict) and item.get('cidr'):
                out.append(str(item['cidr']))
    return out


def _dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def firewall_site(zones, host_site):
    """The site whose zones sit behind this firewall."""
    if host_site:
        return host_site
    sites = _dedupe(zone_site(z) for z in zones or [])
    if len(sites) == 1:
        return sites[0]
    return None


def forward_target(lb_hosts, lb_vip, lb_external, management_addresses, override):
    """Address the public forwards go to; returns (address or None, errors)."""
    if override:
        if _ipv4(override) is None:
            return None, ['nat_firewall_forward_target is %r, not an IPv4 address; fix: the load balancer '
                          'VIP or the management server address, or leave it empty' % (override,)]
        return str(_ipv4(override)), []
    if lb_hosts or lb_external:
        why = 'the group cloudstack_lb has %s' % ', '.join(lb_hosts) if lb_hosts else \
            'cloudstack_mgmt_lb_external is true'
        if not lb_vip:
            return None, ['%s but cloudstack_lb_vip is not set; fix: set cloudstack_lb_vip to the load '
                          'balancers\' virtual address that the firewall forwards to' % why]
        if _ipv4(lb_vip) is None:
            return None, ['cloudstack_lb_vip is %r, not an IPv4 address; fix: the load balancers\' '
                          'virtual IPv4 address' % (lb_vip,)]
        return str(_ipv4(lb_vip)), []
    addresses = list(management_addresses or [])
    if len(addresses) != 1:
        return None, ['the firewall needs the load balancer VIP or exactly one management server to forward '
                      'to, found %d management server(s) and no cloudstack_lb; fix: one host in '
                      'cloudstack_management, or a cloudstack_lb group with cloudstack_lb_vip (CS401)'
                      % len(addresses)]
    if _ipv4(addresses[0]) is None:
        return None, ['the management server\'s cloudstack_management_address is %r, not an IPv4 address; '
                      'fix: set it in its host_vars' % (addresses[0],)]
    return str(_ipv4(addresses[0])), []


def _cidr_list(name, values, errors, allow_default_route=False):
    """Check a list of IPv4 CIDRs (never None: firewall_plan derives null ones)."""
    out = []
    if not isinstance(values, (list, tuple)):
        errors.append('%s must be a list of IPv4 CIDRs, got %r; fix: e.g. [10.10.0.0/24]' % (name, values))
        return out
    for value in values:
        net = _ipv4_net(value)
        if net is None:
            errors.append('%s contains %r, not an IPv4 network in CIDR form (host bits zero); '
                          'fix: e.g. 10.10.0.0/24' % (name, value))
            continue
        if net.prefixlen == 0 and not allow_default_route:
            errors.append('%s contains %s (everyone); fix: list only the networks that need it' % (name, value))
            continue
        out.append(str(net))
    return _dedupe(out)


def vpn_peers(this_host, this_site, firewalls, zones):
    """One peer per other site: its first firewall (sorted), with that site's zone networks.

    firewalls: list of {host, site}. Returns a list of {host, site, networks}.
    """
    by_site = {}
    for fw in sorted(firewalls or [], key=lambda f: f['host']):
        site = fw.get('site')
        if not site or site == this_site or fw['host'] == this_host:
            continue
        by_site.setdefault(site, fw['host'])
    peers = []
    for site in sorted(by_site):
        nets = []
        for zone in zones or []:
            if zone_site(zone) == site:
                nets.extend(zone_networks(zone, ('management', 'storage', 'guest')))
        peers.append({'host': by_site[site], 'site': site, 'networks': _dedupe(nets)})
    return peers


def vpn_address(tunnel_cidr, firewall_hosts, this_host):
    """The firewall's tunnel address: host number index+1 in tunnel_cidr (hosts sorted by name)."""
    net = _ipv4_net(tunnel_cidr)
    hosts = sorted(firewall_hosts or [])
    if net is None or this_host not in hosts:
        return None
    index = hosts.index(this_host) + 1
    if index >= net.num_addresses - 1:
        return None
    return '%s/%d' % (net.network_address + index, net.prefixlen)


def firewall_plan(spec):
    """Everything the nftables template needs, and every error found.

    spec keys (all optional unless said): host (this firewall's inventory name),
    host_site, zones, forwards, forbidden_extra, lb_hosts, lb_vip, lb_external,
    management_addresses, forward_target, masquerade_sources (None: derived),
    admin_cidrs (None: derived), vpn (cloudstack_site_vpn mapping),
    firewalls (list of {host, site}), vpn_port, vpn_tunnel_cidr, vpn_address.
    """
    errors = []
    zones = spec.get('zones') or []
    if not isinstance(zones, list):
        errors.append('cloudstack_zones must be a list, got %r' % (zones,))
        zones = []
    forwards, ferr = normalize_forwards(spec.get('forwards'), spec.get('forbidden_extra'))
    errors.extend(ferr)
    target, terr = forward_target(spec.get('lb_hosts') or [], spec.get('lb_vip'), spec.get('lb_external'),
                                  spec.get('management_addresses') or [], spec.get('forward_target'))
    errors.extend(terr)

    site = firewall_site(zones, spec.get('host_site'))
    local_zones = [z for z in zones if site is None or zone_site(z) == site]
    derived = []
    for zone in local_zones:
        derived.extend(zone_networks(zone, ('management', 'storage')))
    if spec.get('masquerade_sources') is None:
        masq = _cidr_list('the zones\' management/storage networks', derived, errors)
    else:
        masq = _cidr_list('nat_firewall_masquerade_sources', spec.get('masquerade_sources'), errors)
    if spec.get('admin_cidrs') is None:
        admin = _cidr_list('the zones\' management networks',
                           [c for z in local_zones for c in zone_networks(z, ('management',))], errors)
    else:
        admin = _cidr_list('nat_firewall_admin_cidrs', spec.get('admin_cidrs'), errors)

    vpn = spec.get('vpn') or {}
    if not isinstance(vpn, dict):
        errors.append('cloudstack_site_vpn must be a mapping like {enabled: true}, got %r' % (vpn,))
        vpn = {}
    vpn_enabled = bool(vpn.get('enabled'))
    plan_vpn = {'enabled': vpn_enabled, 'peers': [], 'local_networks': [], 'address': None, 'port': None}
    if vpn_enabled:
        port = _port(spec.get('vpn_port'))
        if port is None:
            errors.append('the VPN port (cloudstack_site_vpn.port / nat_firewall_vpn_port) is %r; '
                          'fix: a UDP port number, default 51820' % (spec.get('vpn_port'),))
        if site is None:
            errors.append('cloudstack_site_vpn.enabled is true but firewall %s has no cloudstack_site and the '
                          'zones span several sites; fix: set cloudstack_site on the firewall'
                          % spec.get('host'))
        firewalls = spec.get('firewalls') or []
        if isinstance(firewalls, dict):
            firewalls = [{'host': h, 'site': s} for h, s in firewalls.items()]
        firewalls = [{'host': f['host'], 'site': f.get('site') or firewall_site(zones, None)}
                     for f in firewalls if isinstance(f, dict) and f.get('host')]
        peers = vpn_peers(spec.get('host'), site, firewalls, zones)
        if site is not None and not peers:
            errors.append('cloudstack_site_vpn.enabled is true but no firewall in cloudstack_firewall sits at a '
                          'site other than %s; fix: add the other sites\' firewalls (with cloudstack_site) or '
                          'disable the VPN' % site)
        local = []
        for zone in local_zones:
            local.extend(zone_networks(zone, ('management', 'storage', 'guest')))
        local = _dedupe(local)
        tunnel = _ipv4_net(spec.get('vpn_tunnel_cidr'))
        if tunnel is None:
            errors.append('the VPN tunnel network (cloudstack_site_vpn.tunnel_cidr) is %r; fix: an unused '
                          'IPv4 CIDR such as 10.255.255.0/24' % (spec.get('vpn_tunnel_cidr'),))
        address = spec.get('vpn_address') or (
            vpn_address(spec.get('vpn_tunnel_cidr'), [f['host'] for f in firewalls], spec.get('host'))
            if tunnel is not None else None)
        if tunnel is not None and address is None:
            errors.append('no tunnel address for %s in %s; fix: set nat_firewall_vpn_address (e.g. %s/%d)'
                          % (spec.get('host'), tunnel, tunnel.network_address + 1, tunnel.prefixlen))
        all_nets = local + [n for p in peers for n in p['networks']]
        if tunnel is not None:
            for cidr in all_nets:
                net = _ipv4_net(cidr)
                if net is not None and net.overlaps(tunnel):
                    errors.append('the VPN tunnel network %s overlaps the zone network %s; fix: choose another '
                                  'cloudstack_site_vpn.tunnel_cidr' % (tunnel, cidr))
        plan_vpn.update({'peers': peers, 'local_networks': local, 'address': address, 'port': port,
                         'remote_networks': _dedupe([n for p in peers for n in p['networks']])})

    controller = spec.get('controller_address')
    if controller and spec.get('ssh_managed'):
        addr = _ipv4(controller)
        if addr is not None and not any(addr in ipaddress.IPv4Network(c) for c in admin):
            errors.append('Ansible reaches %s over SSH from %s, which is not in the SSH admin networks %s: '
                          'the new ruleset would cut this connection; fix: add the controller\'s network to '
                          'nat_firewall_admin_cidrs (or set nat_firewall_lockout_check: false if it comes in '
                          'through a NAT the firewall does not see)' % (spec.get('host'), controller, admin))

    return {
        'errors': errors,
        'site': site,
        'forwards': forwards,
        'target': target,
        'masquerade_sources': masq,
        'admin_cidrs': admin,
        'forbidden_ports': sorted(set(FORBIDDEN_PORTS) | set(
            _port(p) for p in (spec.get('forbidden_extra') or []) if _port(p))),
        'vpn': plan_vpn,
    }


def interface_for_address(facts, address):
    """Name of the interface that holds IPv4 address (from gathered facts), or None."""
    wanted = _ipv4(address)
    if wanted is None or not isinstance(facts, dict):
        return None
    for value in facts.values():
        if not isinstance(value, dict) or 'device' not in value:
            continue
        addrs = []
        ipv4 = value.get('ipv4')
        if isinstance(ipv4, dict):
            addrs.append(ipv4.get('address'))
        elif isinstance(ipv4, list):
            addrs.extend(i.get('address') for i in ipv4 if isinstance(i, dict))
        addrs.extend(i.get('address') for i in value.get('ipv4_secondaries') or [] if isinstance(i, dict))
        if any(_ipv4(a) == wanted for a in addrs if a):
            return value['device']
    return None


def interface_ipv4(facts, name):
    """First IPv4 address of interface name (from gathered facts), or None."""
    if not isinstance(facts, dict) or not name:
        return None
    for value in facts.values():
        if isinstance(value, dict) and value.get('device') == name:
            ipv4 = value.get('ipv4')
            if isinstance(ipv4, dict):
                return ipv4.get('address')
            if isinstance(ipv4, list) and ipv4:
                return ipv4[0].get('address')
    return None


def restore_script(family_tables, saved):
    """nft script restoring the role's own tables to a saved state.

    family_tables: e.g. [('inet', 'cloudstack_nat'), ('ip', 'cloudstack_nat')].
    saved: {'inet cloudstack_nat': '<nft list table output>' or ''}; an empty or
    missing listing means the table did not exist before, so it is removed.
    Only the role's tables are named: nothing else in the ruleset is touched.
    """
    lines = []
    for family, table in family_tables:
        lines.append('table %s %s' % (family, table))
        lines.append('delete table %s %s' % (family, table))
    for family, table in family_tables:
        listing = (saved or {}).get('%s %s' % (family, table)) or ''
        if listing.strip():
            lines.append(listing.rstrip('\n'))
    return '\n'.join(lines) + '\n'
