"""REST representations of contracts. Writes go through contracts.services; these only shape data."""

from __future__ import annotations

from rest_framework import serializers

from grids.models import GridUnit

from ..models import (
    AwardEntry,
    AwardList,
    BoardLine,
    BoardPublication,
    CoBuildingUnit,
    Commitment,
    CommitmentTarget,
    Contract,
    DemandItem,
    Evaluation,
    EvaluationStep,
    Progress,
    QuarterlyTally,
    ResourceItem,
    TallyFigures,
)


class CoBuildingUnitSerializer(serializers.ModelSerializer):
    # Plain strings, not enums: "kind" and "status" are enums of other models too (drf-spectacular name clash).
    kind = serializers.CharField(read_only=True, help_text="resident_unit | sector | new_economy")
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    district_name = serializers.CharField(source="district.name", read_only=True)
    contract_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = CoBuildingUnit
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "party_organisation",
            "district",
            "district_name",
            "address",
            "is_active",
            "contract_count",
        ]
        read_only_fields = fields


class ItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(max_length=150)
    detail = serializers.CharField(required=False, allow_blank=True, default="")


class DemandItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = DemandItem
        fields = ["id", "title", "detail"]


class ResourceItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = ResourceItem
        fields = ["id", "title", "detail"]


class TargetSerializer(serializers.ModelSerializer):
    class Meta:
        model = CommitmentTarget
        fields = ["quarter", "target_count", "milestone"]


class CommitmentSerializer(serializers.ModelSerializer):
    targets = TargetSerializer(many=True, read_only=True)

    class Meta:
        model = Commitment
        fields = ["id", "contract", "demand", "resource", "title", "target_kind", "weight", "targets"]
        read_only_fields = fields


class CommitmentCreateSerializer(serializers.Serializer):
    contract = serializers.IntegerField()
    demand = serializers.IntegerField()
    resource = serializers.IntegerField()
    title = serializers.CharField(max_length=150)
    target_kind = serializers.ChoiceField(choices=Commitment.TargetKind.choices)
    weight = serializers.IntegerField()
    targets = serializers.DictField(
        child=serializers.JSONField(),
        help_text='Quarter (1–4) → a count (count kind) or a milestone text (milestone kind), e.g. {"1": 2, "3": 2}.',
    )


class ContractSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="draft | signed | active | closed")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    commitment_count = serializers.IntegerField(read_only=True)
    evaluation_stage = serializers.SerializerMethodField()
    final_score = serializers.SerializerMethodField()

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "community",
            "community_name",
            "unit",
            "unit_name",
            "year",
            "signed_on",
            "status",
            "status_label",
            "commitment_count",
            "evaluation_stage",
            "final_score",
        ]
        read_only_fields = fields

    def _evaluation(self, contract: Contract) -> Evaluation | None:
        try:
            return contract.evaluation
        except Evaluation.DoesNotExist:
            return None

    def get_evaluation_stage(self, contract: Contract) -> str | None:
        evaluation = self._evaluation(contract)
        return evaluation.stage if evaluation else None

    def get_final_score(self, contract: Contract) -> int | None:
        evaluation = self._evaluation(contract)
        return evaluation.final_score if evaluation else None


class ContractDetailSerializer(ContractSerializer):
    demands = DemandItemSerializer(many=True, read_only=True)
    resources = ResourceItemSerializer(many=True, read_only=True)
    commitments = CommitmentSerializer(many=True, read_only=True)

    class Meta(ContractSerializer.Meta):
        fields = [*ContractSerializer.Meta.fields, "demands", "resources", "commitments"]
        read_only_fields = fields


class ContractCreateSerializer(serializers.Serializer):
    community = serializers.PrimaryKeyRelatedField(queryset=GridUnit.objects.filter(level=GridUnit.Level.COMMUNITY))
    unit = serializers.PrimaryKeyRelatedField(queryset=CoBuildingUnit.objects.all())
    year = serializers.IntegerField()
    title = serializers.CharField(max_length=150)
    number = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class SignSerializer(serializers.Serializer):
    signed_on = serializers.DateField()


class ProgressSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="scheduled | met | partiallyMet | notMet")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    has_file = serializers.SerializerMethodField()
    contract = serializers.IntegerField(source="commitment.contract_id", read_only=True)

    class Meta:
        model = Progress
        fields = [
            "id",
            "contract",
            "commitment",
            "year",
            "quarter",
            "status",
            "status_label",
            "achieved_count",
            "evidence_text",
            "has_file",
            "reported_at",
        ]
        read_only_fields = fields

    def get_has_file(self, progress: Progress) -> bool:
        return bool(progress.evidence_file)


class ProgressReportSerializer(serializers.Serializer):
    commitment = serializers.IntegerField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    status = serializers.CharField(
        help_text="scheduled | met | partiallyMet | notMet (Open Contracting milestone status)"
    )
    achieved_count = serializers.IntegerField(required=False, allow_null=True, default=None)
    evidence_text = serializers.CharField(required=False, allow_blank=True, default="")
    evidence_file = serializers.FileField(required=False, allow_null=True, default=None)


class EvaluationStepSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.display_name", read_only=True, default=None)

    class Meta:
        model = EvaluationStep
        fields = ["stage", "action", "score", "comments", "actor", "actor_name", "at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    contract_number = serializers.CharField(source="contract.number", read_only=True)
    steps = EvaluationStepSerializer(many=True, read_only=True)

    class Meta:
        model = Evaluation
        fields = [
            "id",
            "contract",
            "contract_number",
            "stage",
            "stage_label",
            "self_score",
            "community_score",
            "street_score",
            "district_score",
            "final_score",
            "completed_at",
            "steps",
        ]
        read_only_fields = fields


class EvaluationSubmitSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Evaluation.Stage.choices, help_text="the stage that is waiting")
    score = serializers.IntegerField(help_text="0–100")
    comments = serializers.CharField(required=False, allow_blank=True, default="")


class EvaluationSendBackSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Evaluation.Stage.choices, help_text="the stage that is waiting")
    reason = serializers.CharField(allow_blank=True)


FIGURE_FIELDS = list(TallyFigures.FIELDS)


class QuarterlyTallySerializer(serializers.ModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = QuarterlyTally
        fields = ["id", "year", "quarter", "scope", "unit", "unit_name", "contract", *FIGURE_FIELDS, "updated_at"]
        read_only_fields = fields


class BoardLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BoardLine
        fields = ["contract_number", "unit_name", *FIGURE_FIELDS]
        read_only_fields = fields


class BoardPublicationSerializer(serializers.ModelSerializer):
    """What the public board shows: organisations and figures, never a person."""

    community_name = serializers.CharField(source="community.name", read_only=True)
    is_correction = serializers.BooleanField(read_only=True)

    class Meta:
        model = BoardPublication
        fields = [
            "id",
            "community",
            "community_name",
            "year",
            "quarter",
            "version",
            "is_correction",
            "reason",
            "published_at",
            *FIGURE_FIELDS,
        ]
        read_only_fields = fields


class BoardPublicationDetailSerializer(BoardPublicationSerializer):
    lines = BoardLineSerializer(many=True, read_only=True)

    class Meta(BoardPublicationSerializer.Meta):
        fields = [*BoardPublicationSerializer.Meta.fields, "lines"]
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    community = serializers.IntegerField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField()


class CorrectionSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class AwardEntrySerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text="unit | person")
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = AwardEntry
        fields = ["kind", "kind_label", "unit", "unit_name", "person_name", "citation"]
        read_only_fields = fields


class AwardListSerializer(serializers.ModelSerializer):
    district_name = serializers.CharField(source="district.name", read_only=True)
    entries = AwardEntrySerializer(many=True, read_only=True)

    class Meta:
        model = AwardList
        fields = ["id", "district", "district_name", "year", "published_at", "entries"]
        read_only_fields = fields
