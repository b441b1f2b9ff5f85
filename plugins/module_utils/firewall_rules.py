# -*- coding: utf-8 -*-
# Copyright: (c) 2026, CloudStack infra collection maintainers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Plain-Python logic of the NAT firewall role (cloudstack.infra.nat_firewall).

No Ansible import here: the filters in plugins/filter/firewall_filters.py wrap
these functions and tests/unit/test_firewall_rules.py calls them directly.

ssh_guard(connection, ssh_connection, sources) is the host-firewall
component's SSH lock-out check (roles/host_firewall/tasks/guard.yml): is the
controller's own address, read from SSH_CONNECTION of the remote user's
session, within the sources a table admits on SSH?

firewall_plan(model, host, knobs) turns the topology model (zones, the
forwards, the groups, cloudstack_site_vpn; topology_model.Model) plus the
role's own settings into what the nftables template needs. The inventory's
rules are the engine's (CS401, CS501, CS505-CS507: the role runs them first
with cloudstack.infra.topology_validate); the plan lists only the problems
of the role's own settings (each naming the value and the fix) so that the
role can stop before any host is changed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import ipaddress

from ansible_collections.cloudstack.infra.plugins.module_utils.topology_rules import Violation
from ansible_collections.cloudstack.infra.plugins.module_utils.topology_data import (
    FORBIDDEN_PUBLIC_PORTS,
    SITE_VPN_PORT,
    SITE_VPN_TUNNEL_CIDR,
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


def _problem(where, message, fix, rule=None):
    """A refusal of a role setting, as the engine's one Violation type,
    rendered as one line (plan['errors'] holds the text the role shows)."""
    return Violation(rule, 'error', where, message, fix).text()


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


def normalize_forwards(forwards, forbidden=(), checked=False):
    """The forwards as {port, to_port, proto} dicts, and errors.

    ``checked``: the list comes from the inventory and the engine accepted
    it (CS001 shape, CS501 ports, CS505 duplicates): only the role's extra
    ``forbidden`` ports are checked. Otherwise (the role's
    nat_firewall_forwards) every entry is checked here.
    """
    errors = []
    out = []
    if forwards is None:
        forwards = list(DEFAULT_FORWARDS)
    if not isinstance(forwards, (list, tuple)):
        return [], [_problem('nat_firewall_forwards', 'must be a list of {port, to_port, proto} '
                             'mappings, got %r' % (forwards,), 'e.g. [{port: 443, to_port: 8443, proto: tcp}]')]
    name = 'cloudstack_firewall_forwards' if checked else 'nat_firewall_forwards'
    seen = {}
    for index, entry in enumerate(forwards):
        where = '%s[%d]' % (name, index)
        if not isinstance(entry, dict):
            errors.append(_problem(where, '%s is %r, not a mapping' % (where, entry),
                                   'write it as {port: 443, to_port: 8443, proto: tcp}'))
            continue
        port = _port(entry.get('port'))
        to_port = _port(entry.get('to_port', entry.get('port')))
        proto = str(entry.get('proto', 'tcp')).lower()
        if not checked:
            errors.extend(_forward_entry_errors(where, entry, port, to_port, proto))
        for key, value in (('port', port), ('to_port', to_port)):
            if value is not None and value in forbidden:
                errors.append(_problem(
                    where, '%s.%s is %d, a port that must never face the Internet (forbidden: %s)'
                    % (where, key, value, ', '.join(str(p) for p in sorted(forbidden))),
                    'remove this forward, the firewall refuses it', rule='CS501'))
        if port is not None and proto in PROTOS:
            if (port, proto) in seen and not checked:
                errors.append(_problem(where, '%s forwards %s/%d again (already in %s[%d])'
                                       % (where, proto, port, name, seen[(port, proto)]),
                                       'keep one entry per public port and protocol'))
            seen.setdefault((port, proto), index)
        if port is not None and to_port is not None and proto in PROTOS:
            out.append({'port': port, 'to_port': to_port, 'proto': proto})
    return out, errors


def _forward_entry_errors(where, entry, port, to_port, proto):
    errors = []
    unknown = sorted(set(entry) - set(('port', 'to_port', 'proto')))
    if unknown:
        errors.append(_problem(where, '%s has unknown key(s) %s' % (where, ', '.join(unknown)),
                               'use only port, to_port and proto'))
    if port is None:
        errors.append(_problem(where, '%s.port is %r' % (where, entry.get('port')),
                               'a port number from 1 to 65535'))
    if to_port is None:
        errors.append(_problem(where, '%s.to_port is %r' % (where, entry.get('to_port')),
                               'a port number from 1 to 65535'))
    if proto not in PROTOS:
        errors.append(_problem(where, '%s.proto is %r' % (where, entry.get('proto')), 'tcp or udp'))
    return errors


def zone_site(zone):
    """The site a model zone names (DEFAULT_SITE when it names none)."""
    return zone.raw.get('site') or DEFAULT_SITE


def zone_networks(zone, kinds=('management', 'storage')):
    """CIDRs of a model zone's networks of the given kinds."""
    out = []
    for kind in kinds:
        nets = zone.storage if kind == 'storage' else [getattr(zone, kind, None)]
        out.extend(str(net.cidr) for net in nets if net is not None and net.cidr is not None)
    return out


def _dedupe(items):
    out = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def firewall_site(zones, host_site):
    """The site whose zones sit behind this firewall (None: several)."""
    if host_site:
        return host_site
    sites = _dedupe(zone_site(z) for z in zones or [])
    if len(sites) == 1:
        return sites[0]
    return None


def forward_target(model, host, override):
    """Address the public forwards go to; returns (address or None, errors).

    The inventory's choice (the load balancers' VIP, else the one
    management server) is the engine's (CS401, CS506); only the role's
    nat_firewall_forward_target is checked here.
    """
    if override:
        if _ipv4(override) is None:
            return None, [_problem('nat_firewall_forward_target',
                                   'nat_firewall_forward_target is %r, not an IPv4 address' % (override,),
                                   'the load balancer VIP or the management server address, or leave it empty')]
        return str(_ipv4(override)), []
    if model.group('cloudstack_lb') or model.effective(host, 'cloudstack_mgmt_lb_external'):
        vip = model.effective(host, 'cloudstack_lb_vip')
        return (str(vip) if vip is not None else None), []
    addresses = model.management_addresses()
    return (addresses[0] if len(addresses) == 1 else None), []


def _cidr_list(name, values, errors):
    """Check a role's list of IPv4 CIDRs."""
    out = []
    if not isinstance(values, (list, tuple)):
        errors.append(_problem(name, '%s must be a list of IPv4 CIDRs, got %r' % (name, values),
                               'e.g. [10.10.0.0/24]'))
        return out
    for value in values:
        net = _ipv4_net(value)
        if net is None:
            errors.append(_problem(name, '%s contains %r, not an IPv4 network in CIDR form (host bits zero)'
                                   % (name, value), 'e.g. 10.10.0.0/24'))
            continue
        if net.prefixlen == 0:
            errors.append(_problem(name, '%s contains %s (everyone)' % (name, value),
                                   'list only the networks that need it'))
            continue
        out.append(str(net))
    return _dedupe(out)


def _ipv4_only(cidrs):
    return _dedupe([c for c in cidrs if _ipv4_net(c) is not None])


def vpn_peers(this_host, this_site, firewalls, zones):
    """One peer per other site: its first firewall (sorted), with that site's zone networks.

    firewalls: list of {host, site}; zones: model zones. Returns a list of
    {host, site, networks}.
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


def firewall_plan(model, host, knobs=None):
    """Everything the nftables template needs for firewall ``host``.

    ``model`` is a topology_model.Model the engine accepted: the forwards
    (CS501, CS505), the forward target (CS401, CS506) and the site VPN
    (CS507) are its rules and are not checked again. ``knobs`` are the
    role's own settings, checked here: forwards (None: the inventory's
    cloudstack_firewall_forwards), forbidden_extra, forward_target,
    masquerade_sources and admin_cidrs (None: derived), vpn_address. The
    SSH lock-out check is host_firewall's (ssh_guard below): the role
    passes admin_cidrs to it as the table's SSH sources.
    Returns a dict with ``errors`` (each naming the value and the fix).
    """
    knobs = knobs or {}
    errors = []
    zones = model.zones
    forbidden = set(FORBIDDEN_PORTS) | set(
        _port(p) for p in (knobs.get('forbidden_extra') or []) if _port(p))
    if knobs.get('forwards') is None:
        forwards, ferr = normalize_forwards(
            model.effective(host, 'cloudstack_firewall_forwards'), forbidden, checked=True)
    else:
        forwards, ferr = normalize_forwards(knobs.get('forwards'), forbidden)
    errors.extend(ferr)
    target, terr = forward_target(model, host, knobs.get('forward_target'))
    errors.extend(terr)
    if target is None and not terr and forwards:
        errors.append(_problem('nat_firewall_forward_target',
                               'the forwards have no target: no load balancer VIP and not exactly one '
                               'management server (playbooks/validate.yml names it)',
                               'set nat_firewall_forward_target, or put one host in cloudstack_management',
                               rule='CS506'))

    site = firewall_site(zones, (model.hostvars.get(host) or {}).get('cloudstack_site'))
    local_zones = [z for z in zones if site is None or zone_site(z) == site]
    if knobs.get('masquerade_sources') is None:
        masq = _ipv4_only([c for z in local_zones for c in zone_networks(z, ('management', 'storage'))])
    else:
        masq = _cidr_list('nat_firewall_masquerade_sources', knobs['masquerade_sources'], errors)
    if knobs.get('admin_cidrs') is None:
        admin = _ipv4_only([c for z in local_zones for c in zone_networks(z, ('management',))])
    else:
        admin = _cidr_list('nat_firewall_admin_cidrs', knobs['admin_cidrs'], errors)

    vpn = model.effective(host, 'cloudstack_site_vpn') or {}
    plan_vpn = {'enabled': bool(vpn.get('enabled')), 'peers': [], 'local_networks': [],
                'address': None, 'port': None}
    if plan_vpn['enabled']:
        fw_hosts = model.group('cloudstack_firewall')
        firewalls = [{'host': h, 'site': (model.hostvars.get(h) or {}).get('cloudstack_site')
                      or firewall_site(zones, None)} for h in fw_hosts]
        peers = vpn_peers(host, site, firewalls, zones)
        local = _dedupe([c for z in local_zones for c in zone_networks(z, ('management', 'storage', 'guest'))])
        tunnel = vpn.get('tunnel_cidr', SITE_VPN_TUNNEL_CIDR)
        address = knobs.get('vpn_address') or vpn_address(tunnel, fw_hosts, host)
        if address is None:
            errors.append(_problem(host, 'no tunnel address for %s in %s: it is not in cloudstack_firewall'
                                   % (host, tunnel),
                                   'set nat_firewall_vpn_address (e.g. %s)' % vpn_address(tunnel, [host], host)))
        plan_vpn.update({'peers': peers, 'local_networks': local, 'address': address,
                         'port': _port(vpn.get('port', SITE_VPN_PORT)),
                         'remote_networks': _dedupe([n for p in peers for n in p['networks']])})

    return {
        'errors': errors,
        'site': site,
        'forwards': forwards,
        'target': target,
        'masquerade_sources': masq,
        'admin_cidrs': admin,
        'forbidden_ports': sorted(forbidden),
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


# Connection plugins whose sessions come through sshd on the managed host
# (the last part of the name: ansible.builtin.ssh, ansible.netcommon.libssh).
SSH_CONNECTIONS = ('ssh', 'smart', 'paramiko', 'paramiko_ssh', 'libssh')


def ssh_connection_type(connection):
    """True when the connection plugin's name is an SSH one (sshd sets
    SSH_CONNECTION for its sessions); None/empty counts as ssh, Ansible's
    default."""
    name = str(connection or 'ssh').strip().lower()
    return name.rsplit('.', 1)[-1] in SSH_CONNECTIONS


def _address(value):
    """ipaddress object of an IPv4/IPv6 address (an IPv6 zone id dropped,
    an IPv4-mapped IPv6 address as IPv4), or None."""
    text = str(value or '').strip().strip('[]').split('%', 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def ssh_client_address(ssh_connection):
    """The client's address from an SSH_CONNECTION value
    ("client_ip client_port server_ip server_port"), or None when the
    value is missing or not of that form."""
    fields = str(ssh_connection or '').split()
    if len(fields) != 4 or not all(f.isdigit() for f in (fields[1], fields[3])):
        return None
    addr = _address(fields[0])
    return None if addr is None else str(addr)


def address_within(address, sources):
    """(admitted, invalid): is ``address`` one of ``sources`` (addresses or
    CIDRs, IPv4 and IPv6, host bits allowed) or within one of them; invalid
    lists the sources that are neither an address nor a network."""
    addr = _address(address)
    admitted, invalid = False, []
    for source in sources or []:
        text = str(source).strip()
        try:
            net = ipaddress.ip_network(text.split('%', 1)[0], strict=False)
        except ValueError:
            invalid.append(source)
            continue
        if addr is not None and net.version == addr.version and addr in net:
            admitted = True
    return admitted, invalid


def ssh_guard(connection, ssh_connection, sources):
    """The SSH lock-out check of one host, before its table is loaded.

    connection: the connection plugin's name (ansible_connection);
    ssh_connection: SSH_CONNECTION as read in the remote user's own session
    (no become: sudo's env_reset drops it); sources: the addresses/CIDRs
    the table admits on SSH (None: the table does not filter SSH).
    Returns {'verdict', 'address', 'invalid'}, verdict one of
    'skip' (no SSH filter or not an SSH connection), 'admitted',
    'locked-out' (the address is outside sources), 'unreadable' (an SSH
    connection whose address cannot be read: fail closed), 'bad-sources'.
    """
    result = {'verdict': 'skip', 'address': None, 'invalid': []}
    if sources is None or not ssh_connection_type(connection):
        return result
    if isinstance(sources, (str, bytes)) or not isinstance(sources, (list, tuple)):
        result.update(verdict='bad-sources', invalid=[sources])
        return result
    result['address'] = ssh_client_address(ssh_connection)
    admitted, invalid = address_within(result['address'], sources)
    result['invalid'] = invalid
    if invalid:
        result['verdict'] = 'bad-sources'
    elif result['address'] is None:
        result['verdict'] = 'unreadable'
    else:
        result['verdict'] = 'admitted' if admitted else 'locked-out'
    return result
