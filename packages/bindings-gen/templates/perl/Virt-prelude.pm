package Sys::Virt;

# Sys::Virt's interface, generated from api.xml and served by tsvirtd: the same
# method names, constants, return shapes and errors as the libvirt Perl binding.

use strict;
use warnings;
use Scalar::Util ();
use JSON::PP ();
use MIME::Base64 ();
use Sys::Virt::RPC;
use Sys::Virt::Error;
use Sys::Virt::Event;
use Sys::Virt::Stream;

my @live;

sub _live_connections { @live = grep { defined } @live; return @live }

# One call to the daemon; every failure dies with a Sys::Virt::Error of the daemon's fields.
sub _call {
    my ($client, $proc, $args) = @_;
    return _checked(sub { $client->call($proc, $args) });
}

# A call that opens a stream: the stream's wire end, which carries its data from then on.
sub _open_stream {
    my ($client, $proc, $args) = @_;
    return _checked(sub { $client->open_stream($proc, $args) });
}

sub _checked {
    my ($fn) = @_;
    my $v = eval { $fn->() };
    if (my $e = $@) {
        die $e if ref($e) && Scalar::Util::blessed($e);
        $e = Sys::Virt::RPC::wire_error(1, "$e") unless ref $e;
        die Sys::Virt::Error->new(code => $e->{code}, domain => $e->{domain}, level => $e->{level},
                                  message => $e->{message}, str1 => $e->{str1}, str2 => $e->{str2}, str3 => $e->{str3},
                                  int1 => (defined $e->{int1} ? $e->{int1} : -1), int2 => (defined $e->{int2} ? $e->{int2} : -1));
    }
    return $v;
}

sub _bool { $_[0] ? JSON::PP::true : JSON::PP::false }

# Byte strings (a secret's value) travel as base64 text.
sub _bytes_out { defined $_[0] ? MIME::Base64::encode_base64($_[0], '') : undef }
sub _bytes_in { defined $_[0] ? MIME::Base64::decode_base64($_[0]) : undef }

sub new {
    my ($class, %params) = @_;
    my $uri = defined $params{uri} ? $params{uri} : ($ENV{LIBVIRT_DEFAULT_URI} || 'test:///default');
    my $readonly = $params{readonly} ? 1 : 0;
    my $client = eval { Sys::Virt::RPC->new($uri, $readonly) };
    if (my $e = $@) {
        $e = Sys::Virt::RPC::wire_error(1, "$e") unless ref $e;
        die Sys::Virt::Error->new(%$e);
    }
    my $self = bless { client => $client, callbacks => {}, next_callback => 0, remote_callback => undef }, $class;
    # The client must not keep its connection alive (undef $conn closes it): its hooks hold it weakly.
    my $weak = $self;
    Scalar::Util::weaken($weak);
    $client->{on_event} = sub { $weak->_event(@_) if $weak };
    $client->{on_lost} = sub { $weak->_lost(@_) if $weak };
    push @live, $self;
    Scalar::Util::weaken($live[-1]);
    return $self;
}

sub _new_object { my ($self, $class, $ref) = @_; return $class->_new($self, $ref) }

sub is_alive { $_[0]{client}{closed} ? 0 : 1 }

# $cb->($conn, $reason) when the link to the daemon is lost, as libvirt's remote driver
# tells it (Sys::Virt::CLOSE_REASON_EOF, ...); not for the program's own close.
sub register_close_callback { my ($self, $cb) = @_; $self->{close_callback} = $cb; return }
sub unregister_close_callback { my ($self) = @_; $self->{close_callback} = undef; return }
sub _lost { my ($self, $reason) = @_; $self->{close_callback}->($self, $reason) if $self->{close_callback} }

sub new_stream { my ($self, $flags) = @_; return Sys::Virt::Stream->_new(connection => $self, flags => $flags || 0) }

sub list_domains {
    my ($self) = @_;
    return $self->list_all_domains(Sys::Virt::Domain::LIST_ACTIVE());
}
sub num_of_domains { my @d = $_[0]->list_domains(); return scalar @d }
# The older listings take a maximum count, as Sys::Virt's do.
sub _at_most { my ($max, @items) = @_; return defined $max && $max < @items ? @items[0 .. $max - 1] : @items }
sub list_domain_ids { my ($self, $max) = @_; return _at_most($max, map { $_->get_id } $self->list_domains()) }
sub list_defined_domain_names {
    my ($self, $max) = @_;
    return _at_most($max, map { $_->get_name } $self->list_all_domains(Sys::Virt::Domain::LIST_INACTIVE()));
}
sub num_of_defined_domains { my @d = $_[0]->list_defined_domain_names(); return scalar @d }
sub list_networks { $_[0]->list_all_networks(Sys::Virt::Network::LIST_ACTIVE()) }
sub num_of_networks { my @n = $_[0]->list_networks(); return scalar @n }
sub list_defined_network_names { _at_most($_[1], map { $_->get_name } $_[0]->list_all_networks(Sys::Virt::Network::LIST_INACTIVE())) }
sub num_of_defined_networks { my @n = $_[0]->list_defined_network_names(); return scalar @n }
sub list_storage_pools { $_[0]->list_all_storage_pools(Sys::Virt::StoragePool::LIST_ACTIVE()) }
sub num_of_storage_pools { my @p = $_[0]->list_storage_pools(); return scalar @p }
sub list_defined_storage_pool_names { _at_most($_[1], map { $_->get_name } $_[0]->list_all_storage_pools(Sys::Virt::StoragePool::LIST_INACTIVE())) }
sub num_of_defined_storage_pools { my @p = $_[0]->list_defined_storage_pool_names(); return scalar @p }

sub domain_event_register_any {
    my ($self, $dom, $eventID, $cb) = @_;
    die Sys::Virt::Error->new(%{Sys::Virt::RPC::wire_error(8, "invalid argument: unsupported event ID $eventID", 0)})
        unless exists $Sys::Virt::EVENT_ARITY{$eventID};
    $self->{remote_callback} = _call($self->{client}, $Sys::Virt::EVENT_REGISTER_PROC, []) unless defined $self->{remote_callback};
    my $id = $self->{next_callback}++;
    $self->{callbacks}{$id} = [$eventID, (defined $dom ? $dom->get_uuid_string : undef), $cb];
    return $id;
}

sub domain_event_deregister_any {
    my ($self, $id) = @_;
    die Sys::Virt::Error->new(%{Sys::Virt::RPC::wire_error(8, "unable to find callback ID $id", 13)})
        unless delete $self->{callbacks}{$id};
    if (!%{$self->{callbacks}} && defined $self->{remote_callback}) {
        _call($self->{client}, $Sys::Virt::EVENT_DEREGISTER_PROC, [$self->{remote_callback}]);
        $self->{remote_callback} = undef;
    }
    return;
}

sub _event {
    my ($self, $proc, $body) = @_;
    my $event = $Sys::Virt::EVENT_BY_PROC{$proc} or return;
    my ($eventID, @fields) = @$event;
    my $dom = Sys::Virt::Domain->_new($self, $body->{domain});
    for my $id (sort { $a <=> $b } keys %{$self->{callbacks}}) {
        my ($want, $uuid, $cb) = @{$self->{callbacks}{$id}};
        next unless $want == $eventID && (!defined $uuid || $uuid eq $body->{domain}{uuid});
        $cb->($self, $dom, (map { $body->{$_} } @fields));
    }
}

sub DESTROY { my ($self) = @_; $self->{client}->close if $self->{client} }
