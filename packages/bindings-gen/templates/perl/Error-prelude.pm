package Sys::Virt::Error;

# Sys::Virt's errors: thrown with die, with libvirt's code, domain, level and message.

use strict;
use warnings;
use overload ('""' => 'stringify');

sub new {
    my ($class, %fields) = @_;
    return bless {%fields}, $class;
}

sub stringify {
    my ($self) = @_;
    return "libvirt error code: $self->{code}, message: $self->{message}" . ($self->{message} =~ /\n$/ ? '' : "\n");
}

# Sys::Virt 9.0's level() answers the error's code, not its level ($err->{level} holds
# that): scripts print what they print with Sys::Virt.
sub level { $_[0]{code} }
sub code { $_[0]{code} }
sub domain { $_[0]{domain} }
sub message { $_[0]{message} }
sub str1 { $_[0]{str1} }
sub str2 { $_[0]{str2} }
sub str3 { $_[0]{str3} }
sub int1 { $_[0]{int1} }
sub int2 { $_[0]{int2} }
