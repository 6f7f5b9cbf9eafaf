"""The constellation page: who sees it, how relationships are grouped, and the diagram."""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching import constellation as c
from matching.models import Circle, CircleMember, Pairing
from matching.tests.factories import (
    CircleFactory,
    CircleMemberFactory,
    MenteeFactory,
    MentorFactory,
    PairingFactory,
)
from mentoring.models import User
from mentoring.tests.factories import UserFactory
from mentoring.tests.test_templates_a11y import assert_accessible
from programs.models import Program
from programs.tests.factories import ProgramFactory
from sessions.models import Workspace

pytestmark = pytest.mark.django_db

URL = "/constellation/"
SVG_NS = "{http://www.w3.org/2000/svg}"
Status = Pairing.Status
Type = Pairing.RelationshipType


def test_the_url_is_named():
    assert reverse("constellation:mine") == URL


# --- Personas ---------------------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in_and_back(personas):
    response = personas.client("anonymous").get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(URL)}"


@pytest.mark.parametrize("who", ["admin", "mentor", "mentee", "outsider"])
def test_every_signed_in_person_gets_their_own_constellation(personas, who):
    PairingFactory.create(
        program=personas.program,
        mentor=personas.membership("mentor"),
        mentee=personas.membership("mentee"),
        status=Status.ACTIVE,
    )
    html = assert_accessible(personas.client(who).get(URL))
    assert "Your constellation" in html
    names = {p: getattr(personas, p).display_name for p in ("mentor", "mentee")}
    if who == "mentor":
        assert names["mentee"] in html
    elif who == "mentee":
        assert names["mentor"] in html
    else:  # the admin sees the pair on the program's pages, not in their own constellation
        assert names["mentor"] not in html
        assert names["mentee"] not in html
        assert "No running or completed mentoring relationships yet" in html


def test_another_persons_constellation_cannot_be_asked_for(personas):
    """The page is always the viewer's: a user id in the query changes nothing."""
    PairingFactory.create(
        program=personas.program,
        mentor=personas.membership("mentor"),
        mentee=personas.membership("mentee"),
        status=Status.ACTIVE,
    )
    html = personas.client("outsider").get(f"{URL}?user={personas.mentee.pk}").content.decode()
    assert personas.mentor.display_name not in html


def test_the_navbar_links_to_the_constellation_for_signed_in_people(personas):
    html = personas.client("mentee").get(reverse("programs:list")).content.decode()
    assert f'href="{URL}">My constellation</a>' in html
    page = personas.client("mentee").get(URL).content.decode()
    assert f'aria-current="page" href="{URL}">My constellation</a>' in page
    anonymous = personas.client("anonymous").get(reverse("account_login")).content.decode()
    assert "My constellation" not in anonymous


# --- Grouping ---------------------------------------------------------------------------------


def groups_of(user) -> dict[str, list[c.Relationship]]:
    return {g.kind.key: g.relationships for g in c.constellation(user).groups}


def names(rels: list[c.Relationship]) -> list[str]:
    return [r.name for r in rels]


def test_a_classic_pairing_shows_on_both_sides():
    pairing = PairingFactory.create(status=Status.ACTIVE, relationship_type=Type.CLASSIC)
    mentor, mentee = pairing.mentor.user, pairing.mentee.user
    assert names(groups_of(mentee)["mentors"]) == [mentor.display_name]
    assert groups_of(mentee)["mentors"][0].side == "mentors you"
    assert names(groups_of(mentor)["mentees"]) == [mentee.display_name]
    assert groups_of(mentor)["mentees"][0].side == "you mentor them"
    assert set(groups_of(mentee)) == {"mentors"}
    assert set(groups_of(mentor)) == {"mentees"}


def test_peers_are_grouped_by_whether_they_share_my_organisation():
    program = ProgramFactory.create()
    me = MenteeFactory.create(program=program, user__organisation="Northwind Traders")
    inside = MentorFactory.create(program=program, user__organisation=" northwind traders ")
    outside = MentorFactory.create(program=program, user__organisation="Contoso")
    unknown = MentorFactory.create(program=program, user__organisation="")
    me_as_mentor = MentorFactory.create(program=program, user=me.user)
    mentee_outside = MenteeFactory.create(program=program, user__organisation="Contoso")
    for mentor, mentee in (
        (inside, me),
        (outside, me),
        (unknown, me),
        (me_as_mentor, mentee_outside),
    ):
        PairingFactory.create(
            program=program,
            mentor=mentor,
            mentee=mentee,
            status=Status.ACTIVE,
            relationship_type=Type.PEER,
        )
    groups = groups_of(me.user)
    assert names(groups["peers_inside"]) == [inside.user.display_name]
    assert sorted(names(groups["peers_outside"])) == sorted(
        u.display_name for u in (outside.user, unknown.user, mentee_outside.user)
    )
    sides = {r.name: r.side for r in groups["peers_outside"]}
    assert sides[outside.user.display_name] == "they mentor you (peer)"
    assert sides[mentee_outside.user.display_name] == "you mentor them (peer)"
    assert "mentors" not in groups
    assert "mentees" not in groups


def test_reverse_mentoring_says_which_side_i_am():
    pairing = PairingFactory.create(status=Status.ACTIVE, relationship_type=Type.REVERSE)
    junior, senior = pairing.mentor.user, pairing.mentee.user
    (mine,) = groups_of(junior)["reverse"]
    assert mine.name == senior.display_name
    assert mine.side == "you mentor them; they are more senior"
    (theirs,) = groups_of(senior)["reverse"]
    assert theirs.name == junior.display_name
    assert theirs.side == "they mentor you; you are more senior"


def test_flash_sessions_have_their_own_group_on_both_sides():
    pairing = PairingFactory.create(
        status=Status.COMPLETED, kind=Pairing.Kind.FLASH, relationship_type=Type.PEER
    )
    (booked,) = groups_of(pairing.mentee.user)["flash"]
    assert booked.side == "you booked their flash session"
    assert booked.completed
    assert booked.format == "Flash session"
    (given,) = groups_of(pairing.mentor.user)["flash"]
    assert given.side == "they booked your flash session"


def test_circles_show_for_their_mentor_and_their_members_only():
    circle = CircleFactory.create(name="New managers")
    member = CircleMemberFactory.create(circle=circle)
    CircleMemberFactory.create(circle=circle)
    asked = CircleMemberFactory.create(circle=circle, status=CircleMember.Status.REQUESTED)
    left = CircleMemberFactory.create(circle=circle, status=CircleMember.Status.LEFT)
    (led,) = groups_of(circle.mentor.user)["circles"]
    assert led.name == "New managers"
    assert led.side == "you lead it; 2 members"
    (joined,) = groups_of(member.mentee.user)["circles"]
    assert joined.side == f"led by {circle.mentor.user.display_name}; 2 members"
    assert groups_of(asked.mentee.user) == {}
    assert groups_of(left.mentee.user) == {}


@pytest.mark.parametrize(
    ("status", "shown"),
    [
        (Status.PROPOSED, False),
        (Status.DECLINED, False),
        (Status.EXPIRED, False),
        (Status.ENDED_EARLY, False),
        (Status.ACTIVE, True),
        (Status.COMPLETED, True),
    ],
)
def test_only_running_and_completed_pairings_show_on_either_side(status, shown):
    extra = {"end_reason": "Moved abroad."} if status == Status.ENDED_EARLY else {}
    pairing = PairingFactory.create(status=status, **extra)
    for user in (pairing.mentor.user, pairing.mentee.user):
        assert bool(groups_of(user)) is shown


def test_ended_and_only_running_or_completed_circles_show():
    circle = CircleFactory.create(status=Circle.Status.ENDED_EARLY, end_reason="Nobody came.")
    member = CircleMemberFactory.create(circle=circle)
    assert groups_of(circle.mentor.user) == {}
    assert groups_of(member.mentee.user) == {}


def test_relationships_across_programs_and_nobody_elses(personas):
    me = personas.membership("mentee")
    PairingFactory.create(program=personas.program, mentee=me, status=Status.ACTIVE)
    other_program = ProgramFactory.create(status=Program.Status.CLOSED)
    old = PairingFactory.create(
        program=other_program,
        mentee=MenteeFactory.create(program=other_program, user=personas.mentee),
        status=Status.COMPLETED,
        ended_at=dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC),
    )
    stranger = PairingFactory.create(program=personas.program, status=Status.ACTIVE)
    result = c.constellation(personas.mentee)
    assert result.count == 2
    assert result.program_count == 2
    mentors = groups_of(personas.mentee)["mentors"]
    assert [r.completed for r in mentors] == [False, True]  # running first
    html = personas.client("mentee").get(URL).content.decode()
    assert old.mentor.user.display_name in html
    assert "ended 31 Jan 2026" in html
    assert "Completed" in html
    assert stranger.mentor.user.display_name not in html
    assert stranger.mentee.user.display_name not in html


def test_each_relationship_links_to_its_workspace_or_else_its_page():
    pairing = PairingFactory.create(status=Status.ACTIVE)
    workspace = Workspace.objects.get(pairing=pairing)
    (r,) = groups_of(pairing.mentee.user)["mentors"]
    assert r.url == reverse(
        "workspace:detail", kwargs={"slug": pairing.program.slug, "pk": workspace.pk}
    )
    assert _client(pairing.mentee.user).get(r.url).status_code == 200
    workspace.delete()
    (r,) = groups_of(pairing.mentee.user)["mentors"]
    assert r.url == pairing.get_absolute_url()


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


# --- The diagram ------------------------------------------------------------------------------


def svg_of(html: str) -> ET.Element:
    match = re.search(r"<svg[^>]*constellation-diagram.*?</svg>", html, flags=re.DOTALL)
    assert match, "no constellation diagram on the page"
    return ET.fromstring(match.group(0))  # noqa: S314  (our own page, not untrusted input)


def text_of(svg: ET.Element, tag: str) -> str:
    element = svg.find(f"{SVG_NS}{tag}")
    assert element is not None, f"no <{tag}>"
    return element.text or ""


def a_bit_of_everything(user_kwargs=None):
    """A mentee with one relationship of each kind; returns (me, the other names)."""
    program = ProgramFactory.create()
    me = MenteeFactory.create(
        program=program, user__organisation="Northwind", **(user_kwargs or {})
    )
    me_mentor = MentorFactory.create(program=program, user=me.user)
    others = []

    def pair(mentor, mentee, **kw):
        p = PairingFactory.create(program=program, mentor=mentor, mentee=mentee, **kw)
        others.append((p.mentee if p.mentor.user == me.user else p.mentor).user.display_name)

    pair(MentorFactory.create(program=program), me, status=Status.ACTIVE)
    pair(MentorFactory.create(program=program), me, status=Status.COMPLETED)
    pair(me_mentor, MenteeFactory.create(program=program), status=Status.ACTIVE)
    pair(
        MentorFactory.create(program=program, user__organisation="Northwind"),
        me,
        status=Status.ACTIVE,
        relationship_type=Type.PEER,
    )
    pair(
        me_mentor,
        MenteeFactory.create(program=program, user__organisation="Elsewhere"),
        status=Status.ACTIVE,
        relationship_type=Type.PEER,
    )
    pair(
        me_mentor,
        MenteeFactory.create(program=program),
        status=Status.ACTIVE,
        relationship_type=Type.REVERSE,
    )
    pair(MentorFactory.create(program=program), me, status=Status.ACTIVE, kind=Pairing.Kind.FLASH)
    circle = CircleFactory.create(program=program, name="Tuesday circle")
    CircleMemberFactory.create(circle=circle, mentee=me)
    others.append("Tuesday circle")
    return me.user, others


def test_the_diagram_is_an_accessible_well_formed_svg_image():
    me, others = a_bit_of_everything()
    html = assert_accessible(_client(me).get(URL))
    svg = svg_of(html)
    assert svg.tag == f"{SVG_NS}svg"
    assert svg.get("role") == "img"
    ids = (svg.get("aria-labelledby") or "").split()
    title, desc = svg.find(f"{SVG_NS}title"), svg.find(f"{SVG_NS}desc")
    assert title is not None
    assert desc is not None
    assert [title.get("id"), desc.get("id")] == ids
    assert text_of(svg, "title") == "Your constellation: 8 relationships in 1 program"
    for name in others:
        assert name in text_of(svg, "desc")
    assert not svg.findall(f".//{SVG_NS}a"), "an img has no links: the list has them"
    assert "style=" not in html.split("constellation-diagram", 1)[1].split("</svg>")[0]
    # One line per node, in its kind's colour and dash; every node says who it is.
    nodes = [g for g in svg.iter(f"{SVG_NS}g") if g.find(f"{SVG_NS}title") is not None]
    assert len(nodes) == 8
    lines = svg.findall(f".//{SVG_NS}line")
    assert {(ln.get("stroke"), ln.get("stroke-dasharray")) for ln in lines} == {
        (k.colour, k.dash or None) for k in c.KINDS
    }
    assert len({k.colour for k in c.KINDS}) == len({k.dash for k in c.KINDS}) == len(c.KINDS)


def test_the_text_alternative_lists_every_relationship():
    me, others = a_bit_of_everything()
    html = _client(me).get(URL).content.decode()
    listed = html.split('id="relationships-heading"', 1)[1]
    for name in others:
        assert f">{name}</a>" in listed
    for kind in c.KINDS:
        assert kind.title in listed
    assert listed.count('<li class="mb-2">') == 8


def test_names_are_escaped_in_the_diagram_and_the_list():
    program = ProgramFactory.create()
    PairingFactory.create(
        program=program,
        mentor=MentorFactory.create(program=program, user__name='<b>Ann</b> & O\'Neil "Jr"'),
        mentee=MenteeFactory.create(program=program, user__email="me@example.org"),
        status=Status.ACTIVE,
    )
    me = User.objects.get(email="me@example.org")
    html = _client(me).get(URL).content.decode()
    assert "<b>Ann</b>" not in html
    assert "&lt;b&gt;Ann&lt;/b&gt; &amp; O&#x27;Neil &quot;Jr&quot;" in html
    svg = svg_of(html)  # still well-formed XML
    assert "<b>Ann</b> & O'Neil" in text_of(svg, "desc")


def test_someone_with_no_relationships_sees_only_themselves(personas):
    html = assert_accessible(personas.client("mentee").get(URL))
    svg = svg_of(html)
    assert text_of(svg, "title") == "Your constellation: 0 relationships"
    assert not svg.findall(f".//{SVG_NS}line")
    assert "No running or completed mentoring relationships yet" in html


def test_a_crowded_group_ends_with_a_more_node_and_the_list_has_everyone():
    program = ProgramFactory.create()
    me = MenteeFactory.create(program=program)
    for _ in range(12):
        PairingFactory.create(program=program, mentee=me, status=Status.ACTIVE)
    result = c.constellation(me.user)
    nodes = result.diagram.nodes
    assert len(nodes) == c.MAX_NODES_PER_GROUP
    assert nodes[-1].more
    assert nodes[-1].name == "5 more"
    html = _client(me.user).get(URL).content.decode()
    svg_of(html)
    listed = html.split('id="relationships-heading"', 1)[1]
    assert listed.count('<li class="mb-2">') == 12


def test_the_same_person_twice_is_one_node():
    program = ProgramFactory.create()
    me = MenteeFactory.create(program=program)
    mentor = MentorFactory.create(program=program)
    PairingFactory.create(program=program, mentor=mentor, mentee=me, status=Status.COMPLETED)
    PairingFactory.create(program=program, mentor=mentor, mentee=me, status=Status.ACTIVE)
    result = c.constellation(me.user)
    assert result.count == 2
    (node,) = result.diagram.nodes
    assert not node.completed  # one of the two still runs
    assert node.tooltip.count(program.name) == 2


def _fake_groups(sizes: dict[str, int], long_names: bool = False) -> list[c.Group]:
    program = Program(name="P", slug="p")
    groups = []
    for kind in c.KINDS:
        n = sizes.get(kind.key, 0)
        if not n:
            continue
        name = "Maximiliana Papadopoulou-Worthington" if long_names else "Ann Lee"
        rels = [
            c.Relationship(
                kind, f"u{i}", f"{name} {i}", program, i % 3 == 0, "x", None, None, "/", ""
            )
            for i in range(n)
        ]
        groups.append(c.Group(kind, rels))
    return groups


@pytest.mark.parametrize(
    "sizes",
    [
        {"mentors": 1},
        {"mentees": 1, "circles": 1},
        {"mentors": 2, "reverse": 1, "peers_outside": 1, "flash": 1, "mentees": 1},
        dict.fromkeys(
            ("mentors", "reverse", "peers_outside", "flash", "mentees", "circles", "peers_inside"),
            1,
        ),
        dict.fromkeys(
            ("mentors", "reverse", "peers_outside", "flash", "mentees", "circles", "peers_inside"),
            3,
        ),
        {"mentors": 40},
        dict.fromkeys(
            ("mentors", "reverse", "peers_outside", "flash", "mentees", "circles", "peers_inside"),
            12,
        ),
    ],
)
@pytest.mark.parametrize("long_names", [False, True])
def test_the_layout_keeps_nodes_apart_and_inside_the_frame(sizes, long_names):
    diagram = c.layout(_fake_groups(sizes, long_names))
    x0, y0, w, h = (float(v) for v in diagram.view_box.split())
    nodes = diagram.nodes
    for n in nodes:
        assert x0 < n.x - n.r < n.x + n.r < x0 + w
        assert y0 < n.y - n.r < n.y + n.r < y0 + h
        assert math.hypot(n.x, n.y) > c.ME_R + n.r  # clear of me
        for text, y in n.lines:
            assert y0 < y < y0 + h
            assert len(text) <= c.MAX_LABEL
    for i, a in enumerate(nodes):
        for b in nodes[i + 1 :]:
            assert math.hypot(a.x - b.x, a.y - b.y) >= a.r + b.r, (a.name, b.name)
    # Me in the middle of the frame.
    assert x0 == pytest.approx(-w / 2, abs=0.1)
    assert y0 == pytest.approx(-h / 2, abs=0.1)


def test_the_layout_puts_my_mentors_above_me_and_my_mentees_below():
    diagram = c.layout(_fake_groups({"mentors": 2, "mentees": 2}))
    for n in diagram.nodes:
        assert (n.y < 0) == (n.kind.key == "mentors")


def test_labels_are_shortened_with_an_ellipsis():
    assert c.ellipsis("A" * 30) == "A" * 19 + "…"
    assert c.label_lines("Ann Lee") == ["Ann Lee"]
    assert c.label_lines("Maximiliana Papadopoulou-Worthington") == [
        "Maximiliana",
        "Papadopoulou-Wo…",
    ]
    assert c.initials("maya okafor-smith") == "MO"
    assert c.initials("“New” managers' circle") == "NC"


# --- Queries ----------------------------------------------------------------------------------


def many_relationships(user, programs: int, relationships: int) -> None:
    """``relationships`` of every kind, spread over ``programs`` programs."""
    kinds = [
        {"as": "mentee"},
        {"as": "mentor"},
        {"as": "mentee", "relationship_type": Type.PEER},
        {"as": "mentor", "relationship_type": Type.REVERSE},
        {"as": "mentee", "kind": Pairing.Kind.FLASH, "status": Status.COMPLETED},
        {"as": "circle"},
    ]
    made = [ProgramFactory.create() for _ in range(programs)]
    for program in made:
        MenteeFactory.create(program=program, user=user)
        MentorFactory.create(program=program, user=user)
    for i in range(relationships):
        program = made[i % programs]
        spec = dict(kinds[i % len(kinds)])
        side = spec.pop("as")
        me = program.memberships.get(user=user, role=side if side != "circle" else "mentee")
        if side == "circle":
            circle = CircleFactory.create(program=program)
            CircleMemberFactory.create(circle=circle, mentee=me)
            CircleMemberFactory.create(circle=circle)
            continue
        PairingFactory.create(program=program, **{side: me, "status": Status.ACTIVE, **spec})


def test_the_page_takes_the_same_queries_however_many_relationships():
    few, many = UserFactory.create(), UserFactory.create()
    many_relationships(few, programs=5, relationships=2)
    many_relationships(many, programs=20, relationships=40)
    assert c.constellation(few).count == 2
    assert c.constellation(many).count == 40
    assert c.constellation(many).program_count == 20
    counts = []
    for user in (few, many):
        client = _client(user)
        client.get(URL)  # warm caches (sessions, content types)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 4, [q["sql"] for q in queries.captured_queries]
