package Digest::Fletcher;

use strict;
use warnings;

our $VERSION = '1.03';

use Exporter 'import';
our @EXPORT_OK = qw(fletcher16 fletcher32 fletcher16_hex fletcher32_hex);

require XSLoader;
XSLoader::load('Digest::Fletcher', $VERSION);

sub fletcher16_hex { sprintf '%04x', fletcher16($_[0]) }
sub fletcher32_hex { sprintf '%08x', fletcher32($_[0]) }

1;

__END__

=head1 NAME

Digest::Fletcher - Fletcher-16 and Fletcher-32 checksums

=head1 SYNOPSIS

  use Digest::Fletcher qw(fletcher32_hex);
  print fletcher32_hex("abcde"), "\n";   # f04fc729

=cut
