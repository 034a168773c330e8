package Sys::Virt::Stream;

# Sys::Virt's streams: data both ways between the program and a call that opened it
# ($dom->open_console), blocking or not, with callbacks run by Sys::Virt::Event.

use strict;
use warnings;
use Scalar::Util ();

use constant NONBLOCK => 1;
use constant EVENT_READABLE => 1;
use constant EVENT_WRITABLE => 2;
use constant EVENT_ERROR => 4;
use constant EVENT_HANGUP => 8;
use constant RECV_STOP_AT_HOLE => 1;
# The chunk recv_all and send_all move at a time.
use constant CHUNK => 262120;

# Streams with a callback, for the event loop to serve.
my %with_callbacks;

sub _with_callbacks { return grep { defined } values %with_callbacks }

sub _new {
    my ($class, %params) = @_;
    my $conn = $params{connection} or die "connection parameter is required";
    return bless { conn => $conn, flags => $params{flags} || 0, wire => undef }, $class;
}

sub new { my ($class, $conn, $flags) = @_; return $class->_new(connection => $conn, flags => $flags) }

sub _error { my (%f) = @_; return Sys::Virt::Error->new(level => 2, int1 => -1, int2 => -1, %f) }

# libvirt's error for a stream no call has opened yet: it has no driver.
sub _wire {
    my ($self, $what) = @_;
    return $self->{wire} if $self->{wire};
    my $fmt = 'this function is not supported by the connection driver: %s';
    die _error(code => 3, domain => 38, message => sprintf($fmt, $what), str1 => $fmt, str2 => $what);
}

sub _wire_call { my ($self, $fn) = @_; return Sys::Virt::_checked($fn) }

sub _blocking { return !($_[0]{flags} & NONBLOCK) }

sub recv {
    my ($self, undef, $nbytes, $flags) = @_;
    my $wire = $self->_wire('virStreamRecv');
    my $got = $self->_wire_call(sub { $wire->recv($nbytes, $self->_blocking) });
    return -2 unless defined $got;
    $_[1] = $got;
    return length $got;
}

sub send {
    my ($self, $data, $nbytes) = @_;
    my $wire = $self->_wire('virStreamSend');
    $nbytes = length $data if !defined $nbytes || $nbytes > length $data;
    return $self->_wire_call(sub { $wire->send(substr($data, 0, $nbytes)) });
}

# Console streams have no holes.
sub _no_holes {
    my ($self, $what) = @_;
    $self->_wire($what);
    die _error(code => 55, domain => 7, message => 'Requested operation is not valid: Skipping is not supported with this stream');
}
sub recv_hole { $_[0]->_no_holes('virStreamRecvHole') }
sub send_hole { $_[0]->_no_holes('virStreamSendHole') }

sub finish {
    my ($self) = @_;
    my $wire = $self->_wire('virStreamFinish');
    $self->_wire_call(sub { $wire->finish });
    return;
}

# A stream never opened has nothing to give up.
sub abort {
    my ($self) = @_;
    $self->_wire_call(sub { $self->{wire}->abort }) if $self->{wire};
    return;
}

sub _handler_failed {
    my ($self, $what) = @_;
    eval { $self->abort };
    die _error(code => 1, domain => 38, message => "internal error: $what handler failed");
}

sub recv_all {
    my ($self, $handler) = @_;
    while (1) {
        my $data;
        my $n = $self->recv($data, CHUNK);
        return if $n == 0;
        $self->_handler_failed('recv') if $handler->($self, $data, $n) < 0;
    }
}

sub send_all {
    my ($self, $handler) = @_;
    while (1) {
        my $data = '';
        my $n = $handler->($self, $data, CHUNK);
        $self->_handler_failed('send') if $n < 0;
        return if $n == 0;
        $self->send($data, $n);
    }
}

sub sparse_recv_all { my ($self, $handler) = @_; return $self->recv_all($handler) }

sub sparse_send_all {
    my ($self, $handler, $hole_handler) = @_;
    while (1) {
        my ($in_data, $length) = $hole_handler->($self);
        $self->send_hole($length) if !$in_data && $length > 0;
        my $data = '';
        my $n = $handler->($self, $data, $length < CHUNK ? $length : CHUNK);
        $self->_handler_failed('send') if $n < 0;
        return if $n == 0;
        $self->send($data, $n);
    }
}

# Callbacks: $cb->($st, $events) from Sys::Virt::Event::run_default while the events hold.

sub _callback_failure {
    my ($what, $message) = @_;
    die _error(code => 1, domain => 7, message => "internal error: $message");
}

sub add_callback {
    my ($self, $events, $cb) = @_;
    $self->_wire('virStreamEventAddCallback');
    _callback_failure('virStreamEventAddCallback', 'multiple stream callbacks not supported') if $self->{cb};
    @$self{qw(cb cb_events)} = ($cb, $events);
    $with_callbacks{Scalar::Util::refaddr($self)} = $self;
    Scalar::Util::weaken($with_callbacks{Scalar::Util::refaddr($self)});
    return;
}

sub update_callback {
    my ($self, $events) = @_;
    $self->_wire('virStreamEventUpdateCallback');
    _callback_failure('virStreamEventUpdateCallback', 'no stream callback registered') unless $self->{cb};
    $self->{cb_events} = $events;
    return;
}

sub remove_callback {
    my ($self) = @_;
    $self->_wire('virStreamEventRemoveCallback');
    _callback_failure('virStreamEventRemoveCallback', 'no stream callback registered') unless $self->{cb};
    delete $with_callbacks{Scalar::Util::refaddr($self)};
    $self->{cb} = undef;
    return;
}

# The events asked for that hold now: data or the end to read, room to write, a failure, a hang-up.
sub _ready_events {
    my ($self) = @_;
    my $wire = $self->{wire};
    return 0 unless $wire && $self->{cb};
    my $events = 0;
    $events |= EVENT_READABLE if length($wire->{incoming}) || $wire->{ended};
    $events |= EVENT_WRITABLE unless $wire->{ended} || $wire->{error};
    $events |= EVENT_ERROR if $wire->{error};
    $events |= EVENT_HANGUP if $wire->{ended};
    return $events & $self->{cb_events};
}

sub _dispatch {
    my ($self) = @_;
    my $events = $self->_ready_events;
    $self->{cb}->($self, $events) if $events;
}

sub DESTROY { delete $with_callbacks{Scalar::Util::refaddr($_[0])} }

# $dom->open_console($st, ...): a stream, of the same connection. Sys::Virt warns and
# does nothing when it is not a stream object, as its XS argument check does, naming the
# caller's line.
sub _check {
    my ($st, $conn, $method) = @_;
    unless (Scalar::Util::blessed($st) && $st->isa('Sys::Virt::Stream')) {
        my (undef, $file, $line) = caller(1);
        warn "${method}() -- st is not a blessed SV reference at $file line $line.\n";
        return 0;
    }
    die _error(code => 8, domain => 0, message => 'invalid argument: stream must match connection of the object')
        unless $st->{conn} == $conn;
    return 1;
}

1;
