package Sys::Virt::RPC;

# The wire under the generated Sys::Virt modules: tsvirtd's frames, its transports,
# calls and events. A local URI with no daemon running starts `tsvirtd --stdio` and
# talks over its pipes; +unix, +tcp and +ssh reach a daemon as tsvirt's remote driver does,
# and +tls through `tsvirtd --relay`.
# Frames are libvirt's (length word, six header words, body); bodies are JSON.

use strict;
use warnings;
use Cwd ();
use File::Basename ();
use File::Spec ();
use IO::Handle;
use IO::Select;
use IO::Socket::INET;
use IO::Socket::UNIX;
use IPC::Open2 ();
use JSON::PP ();
use Socket ();

use constant {
    PROGRAM => 0x74737672,
    KEEPALIVE_PROGRAM => 0x6B656570,
    KEEPALIVE_PING => 1,
    KEEPALIVE_PONG => 2,
    OPEN_PROC => 1,
    CALL => 0, REPLY => 1, MESSAGE => 2, STREAM => 3,
    STATUS_OK => 0, STATUS_ERROR => 1, STATUS_CONTINUE => 2,
    CLOSE_REASON_ERROR => 0, CLOSE_REASON_EOF => 1,
    MAX_FRAME => 32 * 1024 * 1024 + 4,
};

my $JSON = JSON::PP->new->utf8->canonical->allow_nonref;

sub wire_error {
    my ($code, $message, $domain) = @_;
    # VIR_FROM_RPC unless said otherwise; level 2 is VIR_ERR_ERROR.
    return { code => $code, domain => defined $domain ? $domain : 7, level => 2, message => $message };
}

sub eof_error { wire_error(38, "End of file while reading data: Input/output error") }

sub parse_uri {
    my ($text) = @_;
    my ($scheme, $rest) = $text =~ m{^([A-Za-z][A-Za-z0-9+.-]*):(.*)$}s
        or die wire_error(45, "no connection driver available for $text", 45);
    my ($driver, $transport) = split /\+/, $scheme, 2;
    my ($authority, $path, $query) = ('', '', '');
    if ($rest =~ m{^//([^/?]*)([^?]*)(?:\?(.*))?$}s) { ($authority, $path, $query) = ($1, $2, defined $3 ? $3 : '') }
    my ($user, $host, $port);
    if ($authority ne '') {
        ($user, $authority) = ($1, $2) if $authority =~ /^([^@]*)@(.*)$/;
        ($host, $port) = $authority =~ /^\[?([^\]]*?)\]?(?::(\d+))?$/;
    }
    my %q;
    for my $pair (grep { length } split /&/, $query) {
        my ($k, $v) = split /=/, $pair, 2;
        for ($k, $v) { next unless defined; s/\+/ /g; s/%([0-9A-Fa-f]{2})/chr(hex($1))/ge }
        $q{$k} = defined $v ? $v : '';
    }
    return { text => $text, driver => $driver, transport => $transport, user => $user,
             host => (defined $host && $host ne '' ? $host : undef), port => $port,
             path => $path, query => \%q };
}

sub far_side { my ($u) = @_; return $u->{driver} . '://' . ($u->{path} ne '' ? $u->{path} : '/') }

sub default_socket_dir {
    return '/run/tsvirt' if $< == 0;
    my $runtime = $ENV{XDG_RUNTIME_DIR} || "/run/user/$<";
    return "$runtime/tsvirt";
}

sub find_tsvirtd {
    return $ENV{TSVIRTD} if $ENV{TSVIRTD};
    for my $dir (File::Spec->path) {
        my $p = File::Spec->catfile($dir, 'tsvirtd');
        return $p if -x $p;
    }
    # Beside these bindings in a tsvirt checkout: bindings/perl/lib/Sys/Virt/RPC.pm
    my $here = File::Basename::dirname(Cwd::abs_path(__FILE__));
    my $beside = Cwd::abs_path("$here/../../../../../packages/daemon/bin/tsvirtd");
    return $beside if defined $beside && -e $beside;
    die wire_error(38, "Cannot find tsvirtd: install \@tsvirt/daemon or set TSVIRTD", 13);
}

sub connect_unix {
    my ($path) = @_;
    my $s = IO::Socket::UNIX->new(Type => Socket::SOCK_STREAM(), Peer => $path)
        or die wire_error(38, "Failed to connect socket to '$path': $!");
    return { in => $s, out => $s, sock => $s };
}

sub connect_tcp {
    my ($host, $port) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $host, PeerPort => $port, Proto => 'tcp')
        or die wire_error(38, "unable to connect to server at '$host:$port': $!");
    return { in => $s, out => $s, sock => $s };
}

sub spawn {
    my (@argv) = @_;
    my ($out, $in);
    my $pid = eval { IPC::Open2::open2($out, $in, @argv) };
    die wire_error(38, "Cannot run $argv[0]: $@", 13) unless $pid;
    return { in => $out, out => $in, pid => $pid };
}

sub open_pipe {
    my ($u, $readonly) = @_;
    my $transport = defined $u->{transport} ? $u->{transport} : (defined $u->{host} ? 'tls' : 'unix');
    my $host = defined $u->{host} ? $u->{host} : 'localhost';
    if ($transport eq 'unix') {
        return connect_unix($u->{query}{socket}) if $u->{query}{socket};
        my $path = default_socket_dir() . '/' . ($readonly ? 'tsvirt-sock-ro' : 'tsvirt-sock');
        if (!defined $u->{transport}) {
            # A local URI: the user's running daemon, else a private one on our pipes.
            if (-S $path) {
                my $p = eval { connect_unix($path) };
                return $p if $p;
            }
            return spawn(find_tsvirtd(), '--stdio', ($readonly ? ('--read-only') : ()));
        }
        return connect_unix($path);
    }
    return connect_tcp($host, $u->{port} || 16509) if $transport eq 'tcp';
    if ($transport eq 'ssh') {
        my @argv = ($u->{query}{ssh} || 'ssh', '-T', '-o', 'BatchMode=yes', '-e', 'none');
        push @argv, '-p', $u->{port} if $u->{port};
        push @argv, '-l', $u->{user} if defined $u->{user};
        push @argv, '-i', $u->{query}{keyfile} if $u->{query}{keyfile};
        push @argv, '-o', "UserKnownHostsFile=$u->{query}{known_hosts}" if $u->{query}{known_hosts};
        push @argv, '-o', 'StrictHostKeyChecking=no', '-o', 'LogLevel=ERROR' if ($u->{query}{no_verify} || '') eq '1';
        my $command = $u->{query}{command} || ('tsvirtd --stdio' . ($readonly ? ' --read-only' : ''));
        return spawn(@argv, '--', $host, $command);
    }
    # Perl's core modules have no TLS: tsvirtd --relay speaks it for us (the same certificate
    # files and checks as tsvirt's remote driver) and carries the frames over its pipes.
    return spawn(find_tsvirtd(), '--relay', $u->{text}, ($readonly ? ('--read-only') : ())) if $transport eq 'tls';
    die wire_error(8, "transport in URL not recognised (should be tls|unix|ssh|tcp)", 13);
}

sub new {
    my ($class, $uri, $readonly) = @_;
    my $u = parse_uri($uri);
    my $self = bless { uri => $u, pipe => open_pipe($u, $readonly), buffer => '', serial => 0,
                       closed => 0, events => [], on_event => undef, streams => {} }, $class;
    $self->{pipe}{out}->autoflush(1);
    $self->call(OPEN_PROC, { uri => far_side($u), readOnly => ($readonly ? JSON::PP::true : JSON::PP::false) });
    return $self;
}

sub handle { $_[0]{pipe}{in} }

sub send_frame {
    my ($self, $program, $proc, $type, $serial, $body) = @_;
    $self->send_raw($program, $proc, $type, $serial, 0, defined $body ? $JSON->encode($body) : '');
}

sub send_raw {
    my ($self, $program, $proc, $type, $serial, $status, $payload) = @_;
    die wire_error(1, "client socket is closed") if $self->{closed};
    my $frame = pack('N7', 28 + length($payload), $program, 1, $proc, $type, $serial, $status) . $payload;
    my $fh = $self->{pipe}{out};
    local $SIG{PIPE} = 'IGNORE';
    my $off = 0;
    while ($off < length $frame) {
        my $n = syswrite($fh, $frame, length($frame) - $off, $off);
        if (!$n) { $self->lost(CLOSE_REASON_EOF); die eof_error() }
        $off += $n;
    }
}

sub read_frame {
    my ($self, $block) = @_;
    while (1) {
        if (length $self->{buffer} >= 4) {
            my $len = unpack('N', $self->{buffer});
            if ($len < 28 || $len > MAX_FRAME) { $self->lost(CLOSE_REASON_ERROR); die wire_error(1, "packet $len bytes received from server too large") }
            if (length $self->{buffer} >= $len) {
                my $frame = substr($self->{buffer}, 0, $len, '');
                return ([unpack('N6', substr($frame, 4, 24))], substr($frame, 28));
            }
        }
        return () if !$block && !IO::Select->new($self->handle)->can_read(0);
        my $n = sysread($self->handle, my $chunk, 65536);
        if (!$n) { $self->lost(CLOSE_REASON_EOF); die eof_error() }
        $self->{buffer} .= $chunk;
    }
}

sub unsolicited {
    my ($self, $h, $body) = @_;
    my ($program, undef, $proc, $type) = @$h;
    if ($program == KEEPALIVE_PROGRAM) {
        $self->send_frame(KEEPALIVE_PROGRAM, KEEPALIVE_PONG, MESSAGE, 0, undef) if $proc == KEEPALIVE_PING;
        return;
    }
    push @{$self->{events}}, [$proc, $JSON->decode($body)] if $type == MESSAGE;
    if ($type == STREAM && $program == PROGRAM) {
        # A stream already finished or aborted may still get a frame or two.
        my $stream = $self->{streams}{$h->[4]};
        $stream->receive($h->[5], $body) if $stream;
    }
}

# A call that opens a stream: its frames may follow the reply at once, so it is known before.
sub open_stream {
    my ($self, $proc, $args) = @_;
    my $stream = Sys::Virt::RPC::Stream->new($self, $proc, $self->{serial} + 1);
    $self->{streams}{$stream->{serial}} = $stream;
    eval { $self->call($proc, $args); 1 } or do { my $e = $@; delete $self->{streams}{$stream->{serial}}; die $e };
    return $stream;
}

sub call {
    my ($self, $proc, $args) = @_;
    die wire_error(1, "client socket is closed") if $self->{closed};
    my $serial = ++$self->{serial};
    $self->send_frame(PROGRAM, $proc, CALL, $serial, $args);
    while (1) {
        my ($h, $body) = $self->read_frame(1);
        if ($h->[0] == PROGRAM && $h->[3] == REPLY && $h->[4] == $serial) {
            my $value = length $body ? $JSON->decode($body) : undef;
            die($value || {}) if $h->[5] == STATUS_ERROR;
            return $value;
        }
        $self->unsolicited($h, $body);
    }
}

sub dispatch_events {
    my ($self) = @_;
    while (!$self->{closed}) {
        my ($h, $body) = $self->read_frame(0);
        last unless $h;
        $self->unsolicited($h, $body);
    }
    my @events = @{$self->{events}};
    $self->{events} = [];
    $self->{on_event}->(@$_) for grep { $self->{on_event} } @events;
}

sub pending { my ($self) = @_; return @{$self->{events}} || length $self->{buffer} }

# The daemon is gone: closed as on close(), and on_lost told why (libvirt's close reason).
sub lost {
    my ($self, $reason) = @_;
    my $was_open = !$self->{closed};
    $self->close;
    $self->{on_lost}->($reason) if $was_open && $self->{on_lost};
}

sub close {
    my ($self) = @_;
    return if $self->{closed};
    $self->{closed} = 1;
    # A stream still open has lost its peer.
    for my $stream (values %{$self->{streams}}) {
        $stream->{error} = eof_error() unless $stream->{ended} || $stream->{error};
    }
    $self->{streams} = {};
    my $p = $self->{pipe};
    close($p->{out});
    close($p->{in}) unless $p->{sock};
    waitpid($p->{pid}, 0) if $p->{pid};
}

sub DESTROY { $_[0]->close }

# The stream a call opened (a guest's console): STREAM frames under that call's serial
# carry data (CONTINUE), the end of one direction (OK) or a failure (ERROR) both ways.
package Sys::Virt::RPC::Stream;

use Scalar::Util ();

sub new {
    my ($class, $client, $proc, $serial) = @_;
    my $self = bless { client => $client, proc => $proc, serial => $serial, incoming => '', ended => 0, error => undef }, $class;
    # The client holds its streams; a stream's hold on the client must not keep both alive.
    Scalar::Util::weaken($self->{client});
    return $self;
}

sub receive {
    my ($self, $status, $body) = @_;
    if ($status == Sys::Virt::RPC::STATUS_CONTINUE) { $self->{incoming} .= $body }
    elsif ($status == Sys::Virt::RPC::STATUS_OK) { $self->{ended} = 1 }
    else {
        $self->{error} = eval { $JSON->decode($body) } || Sys::Virt::RPC::wire_error(1, "malformed stream error from the daemon");
    }
}

# Read one frame from the daemon (whoever it is for); false when none is there and $block is false.
sub wait_frame {
    my ($self, $block) = @_;
    my $client = $self->{client} or die Sys::Virt::RPC::eof_error();
    my ($h, $body) = $client->read_frame($block);
    return 0 unless $h;
    $client->unsolicited($h, $body);
    return 1;
}

sub ready { my ($self) = @_; return length($self->{incoming}) || $self->{ended} || $self->{error} ? 1 : 0 }

# Up to $nbytes of what the peer sent, '' once it has ended, undef when it would block.
sub recv {
    my ($self, $nbytes, $block) = @_;
    while (!$self->ready) {
        return undef unless $self->wait_frame($block);
    }
    return substr($self->{incoming}, 0, $nbytes, '') if length $self->{incoming};
    die $self->{error} if $self->{error};
    return '';
}

sub send {
    my ($self, $data) = @_;
    die $self->{error} if $self->{error};
    $self->{client}->send_raw(Sys::Virt::RPC::PROGRAM, $self->{proc}, Sys::Virt::RPC::STREAM, $self->{serial}, Sys::Virt::RPC::STATUS_CONTINUE, $data);
    return length $data;
}

# Our end, then the peer's: what it still sends is dropped; its failure is raised.
sub finish {
    my ($self) = @_;
    $self->end_with(Sys::Virt::RPC::STATUS_OK, '');
    die $self->{error} if $self->{error};
}

# Tell the peer to give up the stream, and wait until it has.
sub abort {
    my ($self) = @_;
    $self->end_with(Sys::Virt::RPC::STATUS_ERROR,
        $JSON->encode({ code => 1, domain => 38, level => 2, message => 'internal error: stream aborted by the client' }));
}

sub end_with {
    my ($self, $status, $body) = @_;
    my $client = $self->{client};
    my $ok = eval {
        if ($client && !$client->{closed} && !$self->{ended} && !$self->{error}) {
            $client->send_raw(Sys::Virt::RPC::PROGRAM, $self->{proc}, Sys::Virt::RPC::STREAM, $self->{serial}, $status, $body);
            while (!$self->{ended} && !$self->{error}) { $self->{incoming} = ''; $self->wait_frame(1) }
        }
        1;
    };
    my $e = $@;
    delete $client->{streams}{$self->{serial}} if $client;
    $self->{ended} = 1;
    die $e unless $ok;
}

1;
