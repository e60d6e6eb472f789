use strict;
use warnings;
use Test::More tests => 5;
use Digest::Fletcher qw(fletcher16 fletcher32 fletcher32_hex);

is(fletcher16("abcde"),  0xC8F0, 'fletcher16 abcde');
is(fletcher16("abcdef"), 0x2057, 'fletcher16 abcdef');
is(fletcher32_hex("abcde"), 'f04fc729', 'fletcher32 abcde');
is(fletcher32("abcdef"),   0x56502D2A, 'fletcher32 abcdef');
is(fletcher32("abcdefgh"), 0xEBE19591, 'fletcher32 abcdefgh');
