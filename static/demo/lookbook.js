// The embedded lookbook remembers what it showed (a personalization cookie).
document.cookie = "sg_reco_lookbook=moonstone; path=/; max-age=2592000; SameSite=Lax";
