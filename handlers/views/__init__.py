"""What more than one router shows: views shared by the resident and the staff side."""
