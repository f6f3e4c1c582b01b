"""The staff area: peer workers and volunteer-centre staff run their own offerings."""
