//! Permissions (許可申請): a member of staff asks to take assets or devices
//! out of the office, to use a private device, to install software or to
//! connect a device; the 情報セキュリティ管理者 (or 責任者) of their unit
//! grants or refuses it, never the person who asked; what was taken out is
//! recorded as returned, and a grant past its end without a return is overdue.

use super::coded;

coded! {
    /// What is asked for.
    PermissionKind {
        TakeOut => ("take_out", "持ち出し", "Taking out"),
        PrivateDevice => ("private_device", "私物端末の利用", "Private device"),
        InstallSoftware => ("install_software", "ソフトウェアの導入", "Installing software"),
        ConnectDevice => ("connect_device", "機器の接続", "Connecting a device"),
    }
}

coded! {
    /// Where a permission stands.
    PermissionState {
        Pending => ("pending", "承認待ち", "Awaiting a decision"),
        Granted => ("granted", "許可", "Granted"),
        Refused => ("refused", "却下", "Refused"),
        Returned => ("returned", "返却済", "Returned"),
    }
}

coded! {
    /// What was done about a violation of the policy.
    ViolationAction {
        Instruction => ("instruction", "指導", "Instruction"),
        Suspension => ("suspension", "アクセス権の停止", "Access suspended"),
        Other => ("other", "その他", "Other"),
    }
}

coded! {
    /// What an emergency response plan (緊急時対応計画) is for: the threats
    /// of 第7 a plan answers.
    PlanCategory {
        CyberAttack => ("cyber_attack", "サイバー攻撃", "Cyber attack"),
        Disaster => ("disaster", "災害", "Disaster"),
        InfrastructureOutage => ("infrastructure_outage", "インフラの障害", "Infrastructure outage"),
        StaffShortage => ("staff_shortage", "疾病等による要員不足", "Staff shortage from illness"),
    }
}
