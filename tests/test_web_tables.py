"""Tables a web page left one cell per line, blank lines between (eval/docs/shanghai-…): a task table with
merged cells and group rows, and allocation tables whose values are ranges under a unit in the header."""

from __future__ import annotations

from policyparse import parse_text


def cells(*lines: str) -> str:
    return "\n\n".join(lines) + "\n"


HEAD = "某市方案\n一、主要任务\n（一）推进示范工程。\n二、保障措施\n（一）强化组织领导。\n"
TASKS = cells(
    "附表1", "任务分工表", "打*的为具体项目", "序号", "事项", "工作措施", "责任单位",
    "推进实施“光伏+”示范工程",
    "1", "“光伏+地铁”工程", "充分利用轨道交通内既有高架车站等资源，进行光伏项目的开发和建设", "申通地铁集团",
    "2", "新建高架车站、地面车站、基地库房等要求屋顶光伏覆盖面积达到50%",
    "3", "“光伏+停车”工程", "充分利用大型停车场屋顶、室外大型车棚资源", "各交通行业企业、市道路运输局",
    "建立健全“光伏+”推进机制",
    "4", "健全商业运营模式", "建立以市场化竞争配置为主的项目开发管理机制", "市交通委、市经济信息化委",
)
ALLOCATIONS = cells(
    "附表2", "交通子行业“十四五”光伏建设分配表", "序号", "交通子行业", "建设区域", "十四五装机计划（MW）", "责任单位",
    "1", "地铁", "高架车站、地面车站、停车场、轨道沿线", "35-36", "申通地铁", "集团",
    "2", "铁路", "候车楼、货场、站房、站台风雨棚、铁路沿线", "15-20", "中国铁路上海局",
    "汇总", "50-56",
    "附表3", "各区“十四五”交通光伏任务分配表", "序号", "区域", "新增装机容量（MW）", "新增示范工程", "新增典型场景",
    "1", "黄浦区", "0.3-0.4", "1", "1",
    "2", "徐汇区", "2-2.6", "1", "1",
)


def test_a_task_table_of_cell_lines() -> None:
    doc = parse_text(HEAD + TASKS)
    assert [(t.no, t.category, t.lead_units) for t in doc.tasks] == [
        ("1", "“光伏+地铁”工程", ["申通地铁集团"]),
        ("2", "“光伏+地铁”工程", ["申通地铁集团"]),  # merged cells carried down
        ("3", "“光伏+停车”工程", ["各交通行业企业", "市道路运输局"]),
        ("4", "健全商业运营模式", ["市交通委", "市经济信息化委"]),  # the group row above it is skipped
    ]
    (target,) = [t for t in doc.targets if t.section == "附表1"]
    assert target.indicator.endswith("屋顶光伏覆盖面积")
    assert (target.value, target.lead_units) == (50, ["申通地铁集团"])


def test_allocation_tables() -> None:
    doc = parse_text(HEAD + ALLOCATIONS)
    found = [(t.section, t.indicator, t.value, t.value_max, t.unit, t.lead_units) for t in doc.targets]
    assert found == [
        ("附表2", "地铁十四五装机计划", 35, 36, "MW", ["申通地铁集团"]),
        ("附表2", "铁路十四五装机计划", 15, 20, "MW", ["中国铁路上海局"]),
        ("附表2", "十四五装机计划汇总", 50, 56, "MW", None),
        ("附表3", "黄浦区新增装机容量", 0.3, 0.4, "MW", None),
        ("附表3", "黄浦区新增示范工程", 1, None, "个", None),
        ("附表3", "黄浦区新增典型场景", 1, None, "个", None),
        ("附表3", "徐汇区新增装机容量", 2, 2.6, "MW", None),
        ("附表3", "徐汇区新增示范工程", 1, None, "个", None),
        ("附表3", "徐汇区新增典型场景", 1, None, "个", None),
    ]
    assert all(doc.text[t.span.start : t.span.end] == t.text for t in doc.targets)
