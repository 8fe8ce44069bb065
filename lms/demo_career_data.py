"""What the demo company's career ladders say: each post's responsibilities, the ladders and
their steps, and each step's requirements."""

from __future__ import annotations

from lms.career.models import Endorser, RequirementKind, StepKind

DESCRIPTIONS = {
    "客服专员": (
        "在线与电话受理售后咨询、退换货和物流问题，按服务标准在时限内回复并跟进到底。",
        "Handles after-sales enquiries, returns and delivery issues online and by phone, "
        "answering within the service standards and following through.",
    ),
    "高级客服专员": (
        "处理升级和疑难工单，带教新人，参与话术和知识库维护。",
        "Handles escalated and difficult tickets, coaches new hires and maintains scripts "
        "and the knowledge base.",
    ),
    "客服组长": (
        "带领 8–15 人小组：排班、质检复核、日常辅导和服务指标达成。",
        "Leads a team of 8–15: rosters, QA reviews, daily coaching and the team's service targets.",
    ),
    "客服主管": (
        "负责多个小组的服务质量与人员发展，处理重大投诉，制定改进计划。",
        "Runs several teams' service quality and people development, handles major "
        "complaints and drives improvement plans.",
    ),
    "客服经理": (
        "负责客服中心的整体运营、预算与跨部门协作。",
        "Runs the service centre: operations, budget and work with other departments.",
    ),
    "质检专员": (
        "按质检标准抽检会话和工单，反馈问题并推动话术改进。",
        "Samples conversations and tickets against the QA standard, reports findings and "
        "drives script improvements.",
    ),
    "培训师": (
        "设计并讲授新人和在岗培训，维护课程和题库，跟踪培训效果。",
        "Designs and delivers onboarding and on-the-job training, maintains courses and "
        "question banks, tracks training results.",
    ),
    "技术支持工程师": (
        "处理设备、账号与系统类技术问题，编写排障指引。",
        "Solves device, account and system issues and writes troubleshooting guides.",
    ),
    "培训经理": (
        "负责培训体系、讲师队伍和认证计划。",
        "Owns the training programme, the trainers and the certification plan.",
    ),
}
KEY_POSTS = ("客服组长", "客服主管")
LADDERS = [
    (
        "客服管理通道",
        "Service management track",
        "从一线客服到客服经理的晋升通道，每一步都看培训、认证、服务指标和带人经验。",
        "From front-line agent to service manager; each step looks at training, "
        "certification, service KPIs and people experience.",
        [
            ("客服专员", "高级客服专员", StepKind.PROMOTION),
            ("高级客服专员", "客服组长", StepKind.PROMOTION),
            ("客服组长", "客服主管", StepKind.PROMOTION),
            ("客服主管", "客服经理", StepKind.PROMOTION),
        ],
    ),
    (
        "专业通道",
        "Specialist track",
        "质检、培训和技术支持方向的发展路径。",
        "Paths into quality, training and technical support.",
        [
            ("高级客服专员", "质检专员", StepKind.BRANCH),
            ("高级客服专员", "培训师", StepKind.BRANCH),
            ("客服专员", "技术支持工程师", StepKind.LATERAL),
            ("培训师", "培训经理", StepKind.PROMOTION),
        ],
    ),
]
COMPLIANCE = "compliance-privacy-annual"
# (from, to) -> requirements: (kind, subject, months, threshold, count)
REQUIREMENTS: dict[tuple[str, str], list[tuple]] = {
    ("客服专员", "高级客服专员"): [
        (RequirementKind.COURSE, "service-standards-30-24"),
        (RequirementKind.COURSE, "returns-and-refunds"),
        (RequirementKind.CERTIFICATION, COMPLIANCE),
        (RequirementKind.TENURE, None, 12),
        (RequirementKind.KPI, "csat", 3, 90.0),
        (RequirementKind.KPI, "qa_score", 3, 85.0),
    ],
    ("高级客服专员", "客服组长"): [
        (RequirementKind.COURSE, "new-team-lead-basics"),
        (RequirementKind.COURSE, "complex-complaint-case-analysis"),
        (RequirementKind.CERTIFICATION, COMPLIANCE),
        (RequirementKind.TENURE, None, 12),
        (RequirementKind.KPI, "csat", 3, 92.0),
        (RequirementKind.KPI, "complaint_rate", 3, 1.0),
        (RequirementKind.ENDORSEMENT, Endorser.LEAD),
        (RequirementKind.MENTORING, None, None, None, 1),
    ],
    ("客服组长", "客服主管"): [
        (RequirementKind.COURSE, "coaching-and-mentoring-new-agents"),
        (RequirementKind.TENURE, None, 24),
        (RequirementKind.KPI, "csat", 6, 93.0),
        (RequirementKind.ROTATION, None, None, None, 1),
        (RequirementKind.ENDORSEMENT, Endorser.ANY),
    ],
    ("客服主管", "客服经理"): [
        (RequirementKind.TENURE, None, 24),
        (RequirementKind.ROTATION, None, None, None, 1),
        (RequirementKind.ENDORSEMENT, Endorser.LEAD),
    ],
    ("高级客服专员", "质检专员"): [
        (RequirementKind.COURSE, "quality-inspection-standards"),
        (RequirementKind.TENURE, None, 6),
        (RequirementKind.KPI, "qa_score", 6, 95.0),
    ],
    ("高级客服专员", "培训师"): [
        (RequirementKind.COURSE, "coaching-and-mentoring-new-agents"),
        (RequirementKind.KPI, "csat", 3, 93.0),
        (RequirementKind.MENTORING, None, None, None, 2),
    ],
    ("客服专员", "技术支持工程师"): [
        (RequirementKind.TENURE, None, 6),
        (RequirementKind.KPI, "fcr", 3, 80.0),
    ],
    ("培训师", "培训经理"): [
        (RequirementKind.TENURE, None, 24),
        (RequirementKind.ENDORSEMENT, Endorser.LEAD),
    ],
}
KPI_POSTS = ("客服专员", "高级客服专员", "客服组长", "质检专员", "技术支持工程师")
