"""Refusals the user can read: each carries a catalogue key and the figures to quote."""

from __future__ import annotations


class DeliberationError(Exception):
    """A refused action. `key` names the catalogue message; `params` fill it in."""

    key = "error.generic"

    def __init__(self, **params: object) -> None:
        self.params = params
        super().__init__(f"{self.key} {params}")


class CouncilMissing(DeliberationError):
    key = "error.council_missing"


class CouncilExists(DeliberationError):
    key = "error.council_exists"


class UnknownPreset(DeliberationError):
    key = "error.unknown_preset"


class NotAMember(DeliberationError):
    key = "error.not_member"


class AdminRequired(DeliberationError):
    """Only a group administrator (Telegram) or a configured WeCom admin sets up a council."""

    key = "error.admin_required"


class MemberLeft(DeliberationError):
    """The member left (or was banned from) the group: their membership stopped with it."""

    key = "error.member_left"


class MemberRemoved(DeliberationError):
    """A chair took the membership back; only a chair's /approve restores it."""

    key = "error.member_removed"


class LastChair(DeliberationError):
    """Taking this chair away would leave the council without one (params: name)."""

    key = "error.last_chair"


class NotAChair(DeliberationError):
    """/unchair of someone who does not chair (params: name)."""

    key = "error.not_chair"


class SecretVoteTyped(DeliberationError):
    """A choice typed in the group is there for everyone to read: in a secret ballot only the buttons vote."""

    key = "error.secret_vote_typed"


class PendingApproval(DeliberationError):
    key = "error.pending_approval"


class NotPending(DeliberationError):
    """/reject of someone whose join is not waiting for approval (params: name)."""

    key = "error.not_pending"


class AlreadyMember(DeliberationError):
    key = "error.already_member"


class RoleRequired(DeliberationError):
    """The action needs a role the actor lacks (params: role)."""

    key = "error.role_required"


class MemberNotFound(DeliberationError):
    key = "error.member_not_found"


class UnitRequired(DeliberationError):
    key = "error.unit_required"


class UnitNotInRoster(DeliberationError):
    key = "error.unit_not_in_roster"


class AreaRequired(DeliberationError):
    key = "error.area_required"


class BadArea(DeliberationError):
    key = "error.bad_area"


class MotionNotFound(DeliberationError):
    key = "error.motion_not_found"


class MotionNumberRequired(DeliberationError):
    """Several motions are open, so the number must be given (params: open)."""

    key = "error.motion_number_required"


class IllegalTransition(DeliberationError):
    """The motion's state does not allow the action (params: number, state, action)."""

    key = "error.illegal_transition"


class TextEmpty(DeliberationError):
    key = "error.text_empty"


class TextTooLong(DeliberationError):
    key = "error.text_too_long"


class CannotSecondOwn(DeliberationError):
    key = "error.cannot_second_own"


class OnlyMoverMayWithdraw(DeliberationError):
    key = "error.only_mover_withdraws"


class AmendmentPending(DeliberationError):
    """An amendment must be settled before the main motion is put (params: number, amendment)."""

    key = "error.amendment_pending"


class NotAmendable(DeliberationError):
    key = "error.not_amendable"


class AmendmentAlreadyPending(DeliberationError):
    """One amendment at a time on a motion: the pending one is settled first (params: number, amendment)."""

    key = "error.amendment_already_pending"


class AmendmentTooDeep(DeliberationError):
    """An amendment of an amendment (secondary) may not itself be amended (params: number)."""

    key = "error.amendment_too_deep"


class AmendAfterDebateClosed(DeliberationError):
    """Debate was closed on the motion: no amendment is in order any more (params: number)."""

    key = "error.amend_after_close"


class Undebatable(DeliberationError):
    """Closing debate is put without debate (params: number)."""

    key = "error.undebatable"


class SubsidiaryBallotOpen(DeliberationError):
    """A motion whose amendment or subsidiary is being voted on cannot be withdrawn or put (params: number, open)."""

    key = "error.subsidiary_ballot_open"


class PostponeEndsTooSoon(DeliberationError):
    """The postponement would expire before its own ballot closes (params: number)."""

    key = "error.postpone_too_soon"


class SpeechRefused(DeliberationError):
    """A debate rule refused the speech; params always include `left` (speeches left)."""

    key = "error.speech"


class ChairDoesNotDebate(SpeechRefused):
    key = "error.speech.chair"


class SideRequired(SpeechRefused):
    key = "error.speech.side"


class SpeechTooLong(SpeechRefused):
    key = "error.speech.too_long"


class SpeechLimitReached(SpeechRefused):
    key = "error.speech.limit"


class SpeakAgainTooSoon(SpeechRefused):
    key = "error.speech.too_soon"


class WarnedOff(SpeechRefused):
    key = "error.speech.warned"


class DebateClosed(SpeechRefused):
    key = "error.speech.closed"


class BallotNotOpen(DeliberationError):
    key = "error.ballot_not_open"


class BallotOpenAtAdjourn(DeliberationError):
    """A meeting does not adjourn while one of its ballots is open (params: meeting, ballots, first).

    RONR §21: adjournment is not in order while the assembly is voting; the chair closes the ballot first.
    """

    key = "error.adjourn_ballot_open"


class BallotNotFound(DeliberationError):
    key = "error.ballot_not_found"


class NotEligible(DeliberationError):
    """The actor may not vote on this ballot (params: reason)."""

    key = "error.not_eligible"


class RegisterRequired(DeliberationError):
    """A civil278 ballot opens only on an imported property register (params: council, the number to import to)."""

    key = "error.register_required"


class OwnerAlreadyVoted(DeliberationError):
    """Another person registered for the same owner's units already cast the owner's one vote (params: owner, name)."""

    key = "error.owner_already_voted"


class SetupNeedsConfirm(DeliberationError):
    """Switching an existing council's preset needs `/setup <preset> confirm` (params: council, current, preset)."""

    key = "error.setup_confirm"


class RulesFrozenByBallot(DeliberationError):
    """The rules may not change while a ballot is open (params: ballots, e.g. "#5, #7")."""

    key = "error.rules_ballot_open"


class RegisterFrozenByBallot(DeliberationError):
    """A new register while a civil278 ballot is open would change who counts mid-vote (params: ballots)."""

    key = "error.register_frozen"


class NotWeighted(DeliberationError):
    """Paper ballots, progress toward 2/3 and the register snapshot are for civil278 ballots (params: number)."""

    key = "error.not_civil278"


class EvidenceNotReady(DeliberationError):
    """An evidence pack is made for a ballot that has closed (params: number)."""

    key = "error.evidence_open"


class DateInPastText(DeliberationError):
    key = "error.date_in_past"


class MeetingNotFound(DeliberationError):
    """No meeting with that number (or no meeting at all) in the council's record (params: meeting)."""

    key = "minutes.error.no_meeting"


# ---- paper slips, tellers, proxies (civil278, spec §4a) ------------------------------------------------


class BadTellerRole(DeliberationError):
    """/teller @user with a role that is neither 计票人 nor 监票人 (params: given)."""

    key = "channels.error.bad_role"


class TellerRequired(DeliberationError):
    """Only an appointed teller enters paper slips."""

    key = "channels.error.teller_required"


class TellerIsOwner(DeliberationError):
    """A teller may not enter a slip of their own household (params: unit)."""

    key = "channels.error.own_household"


class BadSlipChoice(DeliberationError):
    key = "channels.error.bad_choice"


class BadSlipCode(DeliberationError):
    key = "channels.error.bad_code"


class SlipCodeOtherBallot(DeliberationError):
    """A slip's QR code from another ballot (params: number)."""

    key = "channels.error.code_other_ballot"


class SlipEnteredTwice(DeliberationError):
    """The same teller (or a second teller in the same role) entered this slip already (params: unit, name)."""

    key = "channels.error.entered_twice"


class SlipAlreadyCounted(DeliberationError):
    key = "channels.error.slip_counted"


class PaperPrevails(DeliberationError):
    """The owner's signed slip was counted: an electronic vote cannot replace it (params: owner)."""

    key = "channels.error.paper_prevails"


class OwnerVotedHimself(DeliberationError):
    """The owner voted in person: the proxy's vote cannot replace it (params: owner)."""

    key = "channels.error.owner_voted"


class ProxyCapReached(DeliberationError):
    """The holder already represents `cap` owners (params: name, cap)."""

    key = "channels.error.proxy_cap"


class ProxyOwnerVoted(DeliberationError):
    """A proxy for an owner who already voted on an open ballot (params: owner, number)."""

    key = "channels.error.proxy_owner_voted"


class ProxyNotAllowed(DeliberationError):
    """A proxy is recorded by the unit's owner, or by the secretary replying to the signed 委托书's photo."""

    key = "channels.error.proxy_not_allowed"


class ProxyToSelf(DeliberationError):
    key = "channels.error.proxy_to_self"


class NoProxy(DeliberationError):
    """A vote for another owner's unit without a recorded proxy (params: unit)."""

    key = "channels.error.no_proxy"


class ProxyUsage(DeliberationError):
    key = "channels.error.proxy_usage"


class PaperUsage(DeliberationError):
    key = "channels.error.paper_usage"


class Civil278Only(DeliberationError):
    """Paper slips and proxies belong to owners' votes under civil278 (one vote per owner)."""

    key = "channels.error.civil278_only"
