"""Mesa agents: identities and rare, rich decisions; hot state stays in the world's arrays."""

from sim.model.agents.grid_worker import GridWorker
from sim.model.agents.owners_committee import OwnersCommittee
from sim.model.agents.party_member import PartyMember
from sim.model.agents.property_firm import PropertyFirm
from sim.model.agents.resident import Resident

__all__ = ["GridWorker", "OwnersCommittee", "PartyMember", "PropertyFirm", "Resident"]
