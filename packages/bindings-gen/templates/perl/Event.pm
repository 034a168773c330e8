package Sys::Virt::Event;

# Sys::Virt's default event loop: register it, then run it; each run waits for the
# open connections' events and calls their callbacks.

use strict;
use warnings;
use IO::Select;

my $registered = 0;

sub register_default { $registered = 1; return 0 }

sub run_default {
    my @conns = grep { $_->{callbacks} && %{$_->{callbacks}} && !$_->{client}{closed} } Sys::Virt::_live_connections();
    if (!@conns) { select(undef, undef, undef, 1); return 0 }
    unless (grep { $_->{client}->pending } @conns) {
        IO::Select->new(map { $_->{client}->handle } @conns)->can_read();
    }
    for my $c (@conns) {
        eval { $c->{client}->dispatch_events(); 1 } or next;
    }
    return 0;
}

1;
