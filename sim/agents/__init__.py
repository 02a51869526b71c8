"""Mesa agents: identities and rare, rich decisions; hot state stays in the world's arrays."""

from sim.agents.grid_worker import GridWorker
from sim.agents.owners_committee import OwnersCommittee
from sim.agents.party_member import PartyMember
from sim.agents.property_firm import PropertyFirm
from sim.agents.resident import Resident

__all__ = ["GridWorker", "OwnersCommittee", "PartyMember", "PropertyFirm", "Resident"]
