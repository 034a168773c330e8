package Sys::Virt::Event;

# Sys::Virt's default event loop: register it, then run it; each run waits for the
# open connections' events and calls their callbacks, and those of their streams.

use strict;
use warnings;
use IO::Select;

my $registered = 0;

sub register_default { $registered = 1; return 0 }

sub run_default {
    my @streams = Sys::Virt::Stream::_with_callbacks();
    my %watched = map { ($_->{conn} => 1) } @streams;
    my @conns = grep { (%{$_->{callbacks}} || $watched{$_}) && !$_->{client}{closed} } Sys::Virt::_live_connections();
    if (!@conns) { select(undef, undef, undef, 1); return 0 }
    # A stream that is ready already (data read while a call waited, EVENT_WRITABLE) is served without waiting.
    unless ((grep { $_->{client}->pending } @conns) || (grep { $_->_ready_events } @streams)) {
        IO::Select->new(map { $_->{client}->handle } @conns)->can_read();
    }
    for my $c (@conns) {
        eval { $c->{client}->dispatch_events(); 1 } or next;
    }
    $_->_dispatch for Sys::Virt::Stream::_with_callbacks();
    return 0;
}

1;
