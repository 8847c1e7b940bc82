#!/usr/bin/perl
# Part of start-rt: configure a fresh RT for the reference host and print root's REST2 token.
# Custom fields the host fills (single free-form values on every queue's tickets), the rights
# rt-mailgate needs so that a user's e-mail reply lands in the ticket, and root's password.
use strict;
use warnings;
use lib "/usr/share/request-tracker5/lib";
use RT -init;

# The host sends the registration e-mail itself, tagged [rtname #id]; RT's own autoreply on
# create would be a second one. KL_CONTACT_RT_AUTOREPLY=on keeps it (a host configured with
# KL_CONTACT_WEB_RT_AUTOREPLY=rt then sends none).
sub set_autoreply {
    my ($on) = @_;
    my $scrips = RT::Scrips->new(RT->SystemUser);
    $scrips->Limit(FIELD => 'Description', VALUE => 'On Create Autoreply To Requestors');
    while (my $scrip = $scrips->Next) {
        my $binding = RT::ObjectScrip->new(RT->SystemUser);
        $binding->LoadByCols(Scrip => $scrip->id, ObjectId => 0);
        my ($done, $why) = (1, '');
        if ($on && !$binding->id) {
            ($done, $why) = $scrip->AddToObject(0);
        } elsif (!$on && $binding->id) {
            ($done, $why) = $scrip->RemoveFromObject(0);
        }
        die "autoreply: $why\n" unless $done;
    }
}
my $autoreply = ($ENV{KL_CONTACT_RT_AUTOREPLY} // 'off') eq 'on';
if (($ARGV[0] // '') eq 'autoreply') {    # only switch the autoreply (rt-autoreply)
    set_autoreply($autoreply);
    exit 0;
}

my $root = RT::User->new(RT->SystemUser);
$root->Load('root');
my ($ok, $msg) = $root->SetPassword('kl-contact-test');
die "password: $msg\n" unless $ok;

my $queue = RT::Queue->new(RT->SystemUser);
$queue->Load('General');
die "no General queue\n" unless $queue->id;

for my $name (qw(Product Platform Category Channel Locale Submission)) {
    my $cf = RT::CustomField->new(RT->SystemUser);
    $cf->LoadByName(Name => $name, LookupType => 'RT::Queue-RT::Ticket');
    unless ($cf->id) {
        ($ok, $msg) = $cf->Create(
            Name => $name, Type => 'Freeform', MaxValues => 1,
            LookupType => 'RT::Queue-RT::Ticket',
            Description => "kl_contact: $name",
        );
        die "custom field $name: $msg\n" unless $ok;
    }
    $cf->AddToObject(RT::Queue->new(RT->SystemUser));    # global: every queue
}

my $everyone = RT::Group->new(RT->SystemUser);
$everyone->LoadSystemInternalGroup('Everyone');
for my $right (qw(CreateTicket ReplyToTicket SeeQueue ShowTicket SeeCustomField)) {
    $everyone->PrincipalObj->GrantRight(Right => $right, Object => $queue);
}

set_autoreply($autoreply);

my $token = RT::AuthToken->new(RT->SystemUser);
my ($id, $text, $secret) = $token->Create(Owner => $root->id, Description => 'kl_contact');
die "token: $text\n" unless $id;
print "$secret\n";
