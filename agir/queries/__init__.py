"""Reusable selects of the pages: the persons list and households (`persons`), the referral officer's
lists (`referrals`) and the alert inbox, badge and counts (`inbox`). Access is decided by agir.access."""
